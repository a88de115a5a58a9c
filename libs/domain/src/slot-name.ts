/** PRODUCT.md §2: the slot (and publication) name when the task does not choose one. */
export function defaultSlotName(taskId: string): string {
  return `walbridge_${taskId.replace(/-/g, '_')}`;
}
