import { SamlPostBody } from '../common/zod-body.pipe';
import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PortalController, Public } from '../auth/auth.decorators';
import { NotFound } from '../common/domain-errors';
import { IdentityProvidersService } from './identity-providers.service';
import { isSsoErrorCode, SSO_ERRORS } from './sso-errors';
import { SsoFlowsService } from './sso-flows.service';

/**
 * The browser side of SSO: public by nature (nobody is signed in yet); every answer is verified in the services.
 * Starts, callbacks and ACS posts count against a per-client rate limit first (SsoFlowsService.admit).
 */
@ApiTags('sso')
@PortalController('sso')
export class SsoController {
  constructor(
    private readonly flows: SsoFlowsService,
    private readonly providers: IdentityProvidersService,
  ) {}

  /** The portal's SAML SP metadata for one tenant provider; its URL is also the SP entity ID. */
  @Public()
  @Get('saml/:realm/:idp/metadata')
  async samlMetadata(@Param('realm') realm: string, @Param('idp') idp: string, @Res() res: Response) {
    const xml = await this.flows.samlMetadata(realm, idp);
    if (!xml) throw new NotFound('no SAML identity provider at this address');
    res.type('application/samlmetadata+xml').send(xml);
  }

  @Public()
  @Get(':kind/:realm/:idp/start')
  async start(
    @Param('kind') kind: string,
    @Param('realm') realm: string,
    @Param('idp') idp: string,
    @Query('returnTo') returnTo: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!(await this.flows.admit(req, res, { kind, realmSegment: realm, idpId: idp }))) return;
    res.redirect(303, await this.flows.start(res, kind, realm, idp, returnTo));
  }

  @Public()
  @SamlPostBody()
  @Post('saml/:realm/:idp/acs')
  async samlAcs(@Param('realm') realm: string, @Param('idp') idp: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    if (!(await this.flows.admit(req, res, { kind: 'saml', realmSegment: realm, idpId: idp }))) return;
    res.redirect(303, await this.flows.samlAcs(req, res, realm, idp, body));
  }

  @Public()
  @Get('oidc/:realm/:idp/callback')
  async oidcCallback(@Param('realm') realm: string, @Param('idp') idp: string, @Req() req: Request, @Res() res: Response) {
    if (!(await this.flows.admit(req, res, { kind: 'oidc', realmSegment: realm, idpId: idp }))) return;
    res.redirect(303, await this.flows.callback(req, res, 'oidc', realm, idp));
  }

  @Public()
  @Get('entra/:realm/:idp/callback')
  async entraCallback(@Param('realm') realm: string, @Param('idp') idp: string, @Req() req: Request, @Res() res: Response) {
    if (!(await this.flows.admit(req, res, { kind: 'entra', realmSegment: realm, idpId: idp }))) return;
    res.redirect(303, await this.flows.callback(req, res, 'entra', realm, idp));
  }

  /** The error page's text for a code: fixed sentences, so a crafted link cannot put words in the portal's mouth. */
  @Public()
  @Get('errors/:code')
  errorInfo(@Param('code') code: string) {
    if (!isSsoErrorCode(code)) throw new NotFound('unknown sign-in error code');
    const { title, message, adminAction } = SSO_ERRORS[code];
    return { code, title, message, adminAction };
  }

  /** The vendor staff sign-in buttons (providers from SSO_STAFF_PROVIDERS). */
  @Public()
  @Get('staff/providers')
  staffProviders() {
    return { providers: this.providers.staffProviders() };
  }
}
