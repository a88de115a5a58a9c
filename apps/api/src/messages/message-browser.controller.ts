import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { messageQuerySchema, type MessageBrowseView, type MessageQuery } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { MessageBrowserService } from './message-browser.service';

@ApiTags('tasks')
@Controller('tasks/:id/messages')
export class MessageBrowserController {
  constructor(private readonly messages: MessageBrowserService) {}

  /** Read only: a viewer may browse what the task wrote. */
  @Get()
  browse(@Param('id', ParseUUIDPipe) id: string, @Query(new ZodPipe(messageQuerySchema)) query: MessageQuery): Promise<MessageBrowseView> {
    return this.messages.browse(id, query);
  }
}
