/**
 * PGlite's own start parameters plus a smaller buffer pool. shared_buffers lives inside PGlite's WASM heap and is
 * touched in full at start, so it is resident memory one for one: the default 128 MB → 16 MB took an existing data
 * dir's RSS 278 → 190 MB; 16 → 8 MB takes the WASM heap's resident part 29 → 19 MB. Switchboard's tables are small
 * and PGlite reads its files through the OS page cache, so a miss costs a read() from memory (A/B, 4 × 20 s at
 * c=64, ≈130k requests per arm: CPU/request 0.96×, req/s 1.05×). WAL buffers stay at their default (1/32 of
 * shared_buffers). Nothing here touches durability (fsync, synchronous_commit, full_page_writes).
 */
export const PGLITE_START_PARAMS = [
  '--single',
  '-F',
  '-O',
  '-j',
  '-c',
  'search_path=public',
  '-c',
  'exit_on_error=false',
  '-c',
  'log_checkpoints=false',
  '-c',
  'max_worker_processes=0',
  '-c',
  'max_parallel_workers=0',
  '-c',
  'max_parallel_workers_per_gather=0',
  '-c',
  'shared_buffers=8MB',
];
