export async function manyTasksScenario() {
  throw new Error('--scenario many-tasks is not implemented yet');
}
