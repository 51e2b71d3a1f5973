/** Process-wide "shutting down" flag: readiness answers 503 so load balancers stop sending traffic. */
let draining = false;

export function markDraining(): void {
  draining = true;
}

export function isDraining(): boolean {
  return draining;
}
