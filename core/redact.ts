// No secret in any output: passwords, secret keys and tokens are taken out of every error message and log
// line before it is written. Two nets: the secret values this process was given (whatever the text around
// them), and the shapes secrets take in connection strings (`password=…`, `scheme://user:password@`),
// which also catch a password the process was not given but a library echoed.

const MASK = '***';

/** Variables whose whole value is secret. */
const SECRET_VARIABLES = [
  'S3_SECRET_ACCESS_KEY',
  'S3_SESSION_TOKEN',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'PGPASSWORD',
];

/** Variables that hold a connection string, which may carry a password. */
const CONNECTION_VARIABLES = ['PG_URL', 'LAKE_CATALOG'];

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"]*:)([^@\s'"]+)(@)/gi;
const KEYWORD_PASSWORD =
  /\b(password|passwd|sasl\.password|secret|session_token)(\s*[=:]\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'",;)]+)/gi;

/** The passwords inside a connection string (URL or libpq keyword form), decoded as a server sees them. */
function connectionPasswords(value: string): string[] {
  const found: string[] = [];
  for (const match of value.matchAll(URL_PASSWORD)) {
    const raw = match[2] as string;
    found.push(raw);
    try {
      found.push(decodeURIComponent(raw));
    } catch {
      // not percent-encoded
    }
  }
  for (const match of value.matchAll(KEYWORD_PASSWORD)) {
    const raw = match[3] as string;
    found.push(raw, raw.replace(/^['"]|['"]$/g, '').replace(/\\(.)/g, '$1'));
  }
  for (const [key, v] of new URLSearchParams(value.split('?')[1] ?? ''))
    if (key === 'password') found.push(v);
  return found;
}

/** The secret values in an environment: whole secret variables, and passwords inside connection strings. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.length >= 4) secrets.add(value);
  }
  for (const name of CONNECTION_VARIABLES) {
    const value = env[name];
    if (value === undefined) continue;
    // A password equal to its user name (a development default) is no secret, and masking it would mangle
    // every line that names the user or the project.
    const users = new Set(
      [...value.matchAll(/:\/\/([^:/@\s]+):|\buser\s*=\s*'?([^\s']+)/gi)].map((m) => m[1] ?? m[2]),
    );
    for (const password of connectionPasswords(value))
      if (password.length >= 4 && !users.has(password)) secrets.add(password);
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

let known: string[] = secretsOf(process.env);

/** Adds the secrets of this environment (a configuration resolved from something else than process.env). */
export function learnSecrets(env: NodeJS.ProcessEnv): void {
  known = [...new Set([...known, ...secretsOf(env)])].sort((a, b) => b.length - a.length);
}

/** `text` with every known secret and every password-shaped part of a connection string masked. */
export function redact(text: string, secrets: readonly string[] = known): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, MASK);
  return out
    .replace(URL_PASSWORD, `$1${MASK}$3`)
    .replace(KEYWORD_PASSWORD, (_all, key: string, sep: string) => `${key}${sep}${MASK}`);
}
