import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { notificationQuerySchema, type NotificationPage, type NotificationQuery, type NotificationView } from '@walbridge/contracts';
import { Roles } from '../auth/access.decorators';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodPipe } from '../common/zod-body.pipe';
import { NotificationService } from './notification.service';
import { DocumentQuery } from '../common/query-docs.decorator';

const readAllSchema = z.object({ taskId: z.string().uuid('taskId must be a UUID').optional() }).strict().default({});

/**
 * The inbox. Read marks are the caller's own, so marking read is open to viewers (it changes
 * nothing anyone else sees).
 */
@ApiTags('notifications')
@Controller('notifications')
export class NotificationController {
  constructor(private readonly notifications: NotificationService) {}

  @DocumentQuery(notificationQuerySchema)
  @Get()
  list(@Query(new ZodPipe(notificationQuerySchema)) query: NotificationQuery, @Req() req: Request): Promise<NotificationPage> {
    return this.notifications.list(query, req.principal!);
  }

  @Get('unread-count')
  unreadCount(@Req() req: Request): Promise<{ unreadCount: number }> {
    return this.notifications.unreadCount(req.principal!);
  }

  @Post('read-all')
  @Roles('viewer')
  @HttpCode(200)
  readAll(@Body(new ZodPipe(readAllSchema)) body: { taskId?: string }, @Req() req: Request): Promise<{ marked: number; unreadCount: number }> {
    return this.notifications.markAllRead(req.principal!, body.taskId);
  }

  @Get(':id')
  get(@Param('id', UuidParamPipe) id: string, @Req() req: Request): Promise<NotificationView> {
    return this.notifications.get(id, req.principal!);
  }

  @Post(':id/read')
  @Roles('viewer')
  @HttpCode(200)
  read(@Param('id', UuidParamPipe) id: string, @Req() req: Request): Promise<NotificationView> {
    return this.notifications.markRead(id, req.principal!);
  }
}
