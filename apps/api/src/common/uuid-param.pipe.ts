import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '@walbridge/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that must be a UUID; a bad one is a 400 naming the parameter. */
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', [{ field, message: `${field} must be a UUID` }]);
  }
}
