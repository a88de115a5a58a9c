import { Module } from '@nestjs/common';
import { ProbeClient } from './probe-client.service';

@Module({ providers: [ProbeClient], exports: [ProbeClient] })
export class ProbeModule {}
