/** One SSE event. `event:` only when named; JSON always on one line. */
export function sseEvent(data: unknown, event?: string, terminator = '\n\n'): string {
  const json = typeof data === 'string' ? data : JSON.stringify(data);
  return event ? `event: ${event}\ndata: ${json}${terminator}` : `data: ${json}${terminator}`;
}
