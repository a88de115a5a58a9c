import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { auditLogExportQuerySchema, auditLogQuerySchema, type AuditLogExportQuery, type AuditLogPage, type AuditLogQuery } from '@walbridge/contracts';
import { Roles } from '../auth/access.decorators';
import { ZodPipe } from '../common/zod-body.pipe';
import { AuditService } from './audit.service';
import { DocumentQuery } from '../common/query-docs.decorator';

@ApiTags('audit')
@Roles('admin')
@Controller('audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; `nextCursor` fetches the page after. */
  @DocumentQuery(auditLogQuerySchema)
  @Get()
  list(@Query(new ZodPipe(auditLogQuerySchema)) query: AuditLogQuery): Promise<AuditLogPage> {
    return this.audit.list(query);
  }

  /** The same filters, every matching entry (up to 100,000) as a CSV file. */
  @DocumentQuery(auditLogExportQuerySchema)
  @Get('export.csv')
  @Header('Cache-Control', 'no-store')
  export(@Query(new ZodPipe(auditLogExportQuerySchema)) query: AuditLogExportQuery): StreamableFile {
    const day = new Date().toISOString().slice(0, 10);
    return new StreamableFile(this.audit.exportCsv(query), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="walbridge-audit-log-${day}.csv"` });
  }
}
