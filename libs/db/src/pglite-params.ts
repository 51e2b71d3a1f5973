/**
 * PGlite's own start parameters plus a 16 MB shared_buffers: the default (128 MB) lives inside PGlite's WASM heap;
 * measured on an existing data dir, RSS 278 → 190 MB, and Switchboard's tables are small.
 */
export const PGLITE_START_PARAMS = [
  '--single', '-F', '-O', '-j',
  '-c', 'search_path=public',
  '-c', 'exit_on_error=false',
  '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0',
  '-c', 'max_parallel_workers=0',
  '-c', 'max_parallel_workers_per_gather=0',
  '-c', 'shared_buffers=16MB',
];
