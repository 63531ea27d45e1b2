import { Controller, Get, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '../auth/route-access';

/** Prometheus metrics, public like any scrape endpoint (keep it on the cluster network). Standalone processes only. */
@Controller()
export class MetricsController extends PrometheusController {
  @Public()
  @Get()
  override async index(@Res({ passthrough: true }) response: Response) {
    return super.index(response);
  }
}
