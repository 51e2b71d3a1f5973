import { normalizeBaseUrl } from '../provider.types';

/** What a vertex channel's `config` must hold: the Google Cloud project and the location its models are called in. */
export interface VertexConfig {
  project: string;
  location: string;
}

// Project ids (`my-project-123`), legacy domain-scoped ids (`example.com:proj`) and project numbers; nothing that could
// leave its path segment.
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9.:_-]{0,127}$/;
// `global`, a region (`us-central1`, `europe-west4`) or a multi-region (`us`, `eu`): it becomes part of a host name.
const LOCATION = /^[a-z][a-z0-9-]{0,62}$/;

export function vertexConfigProblem(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
  for (const k of Object.keys(config)) {
    if (k !== 'project' && k !== 'location') return { field: k, message: 'not a vertex setting (project, location)' };
  }
  const { project, location } = config;
  if (typeof project !== 'string' || !project.trim()) return { field: 'project', message: 'required: the Google Cloud project id, e.g. my-project-123' };
  if (!PROJECT.test(project.trim())) return { field: 'project', message: 'is not a Google Cloud project id' };
  if (typeof location !== 'string' || !location.trim()) return { field: 'location', message: 'required: a region such as us-central1, or global' };
  if (!LOCATION.test(location.trim())) return { field: 'location', message: 'is not a Vertex AI location (us-central1, europe-west4, global…)' };
  return null;
}

export function vertexConfig(config: Readonly<Record<string, unknown>> | undefined): VertexConfig {
  const problem = vertexConfigProblem(config ?? {});
  // The admin API refuses such a channel; a row from before the check fails its attempts, not the process.
  if (problem) throw new Error(`vertex channel config.${problem.field} ${problem.message}`);
  return { project: String(config!.project).trim(), location: String(config!.location).trim() };
}

/** The default base URL of the type: Google's own API, whose host then follows the channel's location. */
export const VERTEX_DEFAULT_BASE_URL = 'https://aiplatform.googleapis.com';

// Google's public Vertex hosts: global, regional (`{region}-aiplatform…`) and multi-region (`aiplatform.{us|eu}.rep…`).
const GOOGLE_HOST = /^https:\/\/(?:(?:[a-z0-9-]+-)?aiplatform\.googleapis\.com|aiplatform\.[a-z0-9-]+\.rep\.googleapis\.com)$/;

/**
 * The origin requests go to. A Google host (the default) is the one serving `location`: a regional host must match the
 * location in the path, so changing a channel's location moves it without touching its base URL. Any other base URL
 * (a Private Service Connect endpoint, a proxy, a test fake) is used as it is.
 */
export function vertexOrigin(baseUrl: string, location: string): string {
  const base = normalizeBaseUrl(baseUrl, ['/v1', '/v1beta1']);
  if (!GOOGLE_HOST.test(base)) return base;
  if (location === 'global') return 'https://aiplatform.googleapis.com';
  if (location === 'us' || location === 'eu') return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}
