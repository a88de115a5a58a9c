import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { MessageBrowserController } from './message-browser.controller';
import { MessageBrowserService } from './message-browser.service';

@Module({ imports: [ProbeModule], controllers: [MessageBrowserController], providers: [MessageBrowserService] })
export class MessageBrowserModule {}
