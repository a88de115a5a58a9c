import { Controller, Get, Header } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { PrometheusService } from './prometheus.service';

/**
 * `GET /metrics` (outside /api/v1, like /health). Guarded like every route: Prometheus scrapes
 * it with a viewer's API token (`authorization: { credentials: wbt_… }` in its scrape config).
 */
@ApiTags('operations')
@Controller('metrics')
export class PrometheusController {
  constructor(private readonly prometheus: PrometheusService) {}

  @Get()
  @ApiProduces('text/plain')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.prometheus.render();
  }
}
