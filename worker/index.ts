/** Worker entry: parse the configuration once, then hand the request to the gateway app. */
import { ConfigError, getConfig } from "./config";
import type { Bindings } from "./env";
import { appFor } from "./app";
import { hotPath } from "./hot-path";

export { AccountDO } from "./do/account";
export { CompanyDO } from "./do/company";

export default {
  // Not async: the hot path's promise is handed to the runtime as it is, without another wrapper.
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Response | Promise<Response> {
    let config;
    try {
      config = getConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) console.error(error.message); // names settings, never values
      return Response.json(
        { error: { code: "MISCONFIGURED", message: "Stepgate is not configured correctly. The operator has been told." } },
        { status: 500 },
      );
    }
    // A signed-in request that is a plain forward skips the router (worker/hot-path.ts).
    const forwarded = hotPath(request, env, config);
    if (forwarded) return forwarded;
    const app = appFor(config);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
