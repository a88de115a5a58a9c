import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { ConfigError, loadConfig } from '@walbridge/config';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { docsAccess } from './auth/docs-access.middleware';
import { documentAccess } from './auth/openapi-access';
import { SESSION_COOKIE } from './auth/session-cookie';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { allowedHostsOnly } from './common/allowed-hosts.middleware';
import { jsonBodiesOnly } from './common/cross-site-request.middleware';
import { verifyJsonDepth } from './common/json-depth';
import { answerMalformedRequests } from './common/malformed-http';
import { securityHeaders } from './common/security-headers';
import { serveConsole } from './console/serve-console';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // No default body parsers: JSON only (below); urlencoded bodies are what HTML forms send.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false });
  // A hop count or the proxies' CIDRs (libs/config refuses 'true'): req.ip is then the client.
  app.set('trust proxy', config.WALBRIDGE_TRUST_PROXY);
  app.use(allowedHostsOnly(config.WALBRIDGE_ALLOWED_HOSTS));
  app.use(securityHeaders());
  app.use(cookieParser());
  app.use(jsonBodiesOnly());
  // Closed unless origins are configured: the console is served from this origin.
  if (config.WALBRIDGE_CORS_ORIGINS.length) app.enableCors({ origin: config.WALBRIDGE_CORS_ORIGINS, credentials: true });
  app.useBodyParser('json', { limit: '1mb', verify: verifyJsonDepth });
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'metrics'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  const openApi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Walbridge')
      .setVersion('1')
      .setDescription('Log in with POST /api/v1/auth/login, then send the token as a bearer token (or keep the session cookie).')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API token (wbt_…) or a session token (wbs_…)' }, 'bearer')
      .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, 'session')
      .build(),
  );
  app.use(['/api/docs', '/api/docs-json', '/api/docs-yaml'], docsAccess(app.get(AuthService)));
  SwaggerModule.setup('api/docs', app, documentAccess(openApi), { jsonDocumentUrl: 'api/docs-json' });
  const consoleDir = serveConsole(app, config.WALBRIDGE_CONSOLE_DIR);
  answerMalformedRequests(app.getHttpServer());
  await app.listen(config.WALBRIDGE_API_PORT, config.WALBRIDGE_API_HOST);
  const url = `http://${config.WALBRIDGE_API_HOST}:${config.WALBRIDGE_API_PORT}`;
  Logger.log(`api listening on ${url}${consoleDir ? ` (console at ${url}/)` : ' (console not built)'}`, 'walbridge');
}

bootstrap().catch((error: unknown) => {
  // A bad environment is reported by name; anything else is a startup failure worth its stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
