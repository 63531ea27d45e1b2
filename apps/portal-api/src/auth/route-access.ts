import { SetMetadata } from '@nestjs/common';
import type { Role } from '@portal/contracts';

export const PUBLIC_KEY = 'portal:public';
export const ROLES_KEY = 'portal:roles';

/** Marks a route as reachable without signing in. Routes are denied unless marked Public or given Roles. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** The roles allowed on a route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const ALL_ROLES: Role[] = ['customer_admin', 'customer_viewer', 'support_engineer', 'csm'];
