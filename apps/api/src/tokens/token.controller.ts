import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createTokenSchema, type CreateTokenInput, type CreatedTokenView, type TokenView } from '@walbridge/contracts';
import { Roles } from '../auth/access.decorators';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodPipe } from '../common/zod-body.pipe';
import { TokenService } from './token.service';

@ApiTags('tokens')
@Roles('admin')
@Controller('tokens')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  list(): Promise<TokenView[]> {
    return this.tokens.list();
  }

  @Post()
  create(@Body(new ZodPipe(createTokenSchema)) body: CreateTokenInput, @Req() req: Request): Promise<CreatedTokenView> {
    return this.tokens.create(body, req.principal!);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.tokens.revoke(id);
  }
}
