export * from './row-filter-parser';
export * from './row-filter-compiler';
export {
  valueKindOf,
  parseDecimal,
  compareDecimal,
  parseTimestamp,
  compareCodePoints,
  type ValueKind,
  type ColumnTypeFacts,
  type Decimal,
} from './pg-values';
export * from './row-filter-problems';
