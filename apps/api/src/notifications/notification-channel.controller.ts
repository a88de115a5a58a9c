import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createChannelSchema, updateChannelSchema, type ChannelConfig, type ChannelDeliveryView, type ChannelTestResult, type NotificationChannelView } from '@walbridge/contracts';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodPipe } from '../common/zod-body.pipe';
import { ChannelDeliveries } from './channel-delivery.service';
import { NotificationChannelService } from './notification-channel.service';

/** Where notifications go besides the inbox. Reading needs a viewer (webhook URLs without path and query), changing an operator. */
@ApiTags('notifications')
@Controller('notification-channels')
export class NotificationChannelController {
  constructor(
    private readonly channels: NotificationChannelService,
    private readonly deliveries: ChannelDeliveries,
  ) {}

  @Get()
  list(@Req() req: Request): Promise<NotificationChannelView[]> {
    return this.channels.list(req.principal!.role);
  }

  @Post()
  create(@Body(new ZodPipe(createChannelSchema)) body: ChannelConfig): Promise<NotificationChannelView> {
    return this.channels.create(body);
  }

  @Get(':id')
  get(@Param('id', UuidParamPipe) id: string, @Req() req: Request): Promise<NotificationChannelView> {
    return this.channels.get(id, req.principal!.role);
  }

  @Patch(':id')
  update(@Param('id', UuidParamPipe) id: string, @Body(new ZodPipe(updateChannelSchema)) body: Record<string, unknown>): Promise<NotificationChannelView> {
    return this.channels.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.channels.delete(id);
  }

  /** Sends a sample notification once, now, and says how it went (200 either way; `ok` tells). */
  @Post(':id/test')
  @HttpCode(200)
  test(@Param('id', UuidParamPipe) id: string): Promise<ChannelTestResult> {
    return this.channels.test(id);
  }

  /** The channel's last 100 deliveries, newest first, each with its attempts and notification. */
  @Get(':id/deliveries')
  history(@Param('id', UuidParamPipe) id: string): Promise<{ items: ChannelDeliveryView[] }> {
    return this.deliveries.history(id);
  }

  /** A failed delivery gets a new round of attempts (202: a scheduler sends it). */
  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  retry(@Param('id', UuidParamPipe) id: string, @Param('deliveryId', UuidParamPipe) deliveryId: string): Promise<{ id: string; status: 'pending' }> {
    return this.deliveries.retry(id, deliveryId);
  }
}
