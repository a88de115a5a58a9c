import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig } from '@walbridge/config';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { serveConsole } from './console/serve-console';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  app.useBodyParser('json', { limit: '1mb' });
  app.setGlobalPrefix('api/v1', { exclude: ['health'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  const openApi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Walbridge').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, openApi, { jsonDocumentUrl: 'api/docs-json' });
  const consoleDir = serveConsole(app, config.WALBRIDGE_CONSOLE_DIR);
  await app.listen(config.WALBRIDGE_API_PORT, config.WALBRIDGE_API_HOST);
  const url = `http://${config.WALBRIDGE_API_HOST}:${config.WALBRIDGE_API_PORT}`;
  Logger.log(`api listening on ${url}${consoleDir ? ` (console at ${url}/)` : ' (console not built)'}`, 'walbridge');
}

bootstrap().catch((error: unknown) => {
  // A bad environment is reported by name; anything else is a startup failure worth its stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
