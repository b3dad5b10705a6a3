/** `run` and `once`: the configuration loaded, its secrets registered for scrubbing, the receiver run. */
import { loadConfig, type Config } from '../config/index.ts';
import { registerSecret } from '../log.ts';
import { runReceiver } from '../run.ts';

export function runConfigured(mode: 'run' | 'once', configFile: string | undefined): Promise<number> {
  return runReceiver(mode, loadConfigOrExit(configFile));
}

function loadConfigOrExit(configFile: string | undefined): Config {
  const config = loadConfig(process.env, { configFile });
  registerSecret(config.asana.token);
  for (const v of Object.values(config.otlp.headers)) registerSecret(v);
  for (const v of Object.values(config.metrics?.headers ?? {})) registerSecret(v);
  return config;
}
