import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { z, type ZodTypeAny } from 'zod';

/** The zod type under optional/default/effects wrappers. */
function inner(type: ZodTypeAny): ZodTypeAny {
  if (type instanceof z.ZodOptional || type instanceof z.ZodNullable) return inner(type.unwrap());
  if (type instanceof z.ZodDefault) return inner(type._def.innerType);
  if (type instanceof z.ZodEffects) return inner(type.innerType());
  if (type instanceof z.ZodPipeline) return inner(type._def.in);
  return type;
}

function schemaOf(type: ZodTypeAny): Record<string, unknown> {
  const base = inner(type);
  if (base instanceof z.ZodEnum) return { type: 'string', enum: base.options };
  if (base instanceof z.ZodNumber) return { type: base.isInt ? 'integer' : 'number', ...(base.minValue !== null ? { minimum: base.minValue } : {}), ...(base.maxValue !== null ? { maximum: base.maxValue } : {}) };
  if (base instanceof z.ZodBoolean) return { type: 'boolean' };
  return { type: 'string' };
}

/**
 * Puts the query parameters of a zod query schema into the OpenAPI document, so the document
 * lists every parameter the route takes (clients, the console's capability check and the
 * route fuzz test read it from there).
 */
export function DocumentQuery(schema: ZodTypeAny): MethodDecorator {
  const object = inner(schema);
  if (!(object instanceof z.ZodObject)) throw new Error('DocumentQuery needs an object schema');
  const shape = object.shape as Record<string, ZodTypeAny>;
  return applyDecorators(
    ...Object.entries(shape).map(([name, field]) => ApiQuery({ name, required: !field.isOptional(), schema: schemaOf(field) as never })),
  );
}
