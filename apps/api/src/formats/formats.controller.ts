import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ENVELOPE_AVRO_SCHEMA } from '@walbridge/contracts';

@ApiTags('formats')
@Controller('formats')
export class FormatsController {
  /**
   * The one Avro schema of every message of a task with format avro (PRODUCT.md §5): messages are
   * Avro binary of it, without a schema registry's framing.
   */
  @Get('avro-schema')
  @Header('Content-Type', 'application/json')
  avroSchema(): typeof ENVELOPE_AVRO_SCHEMA {
    return ENVELOPE_AVRO_SCHEMA;
  }
}
