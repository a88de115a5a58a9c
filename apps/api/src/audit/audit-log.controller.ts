import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { auditLogQuerySchema, type AuditLogPage, type AuditLogQuery } from '@walbridge/contracts';
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
}
