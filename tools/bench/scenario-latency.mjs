export async function latencyScenario() {
  throw new Error('--scenario latency is not implemented yet');
}
