import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  changePasswordSchema,
  loginSchema,
  type ChangePasswordInput,
  type LoginInput,
  type LoginResult,
  type MeView,
} from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { AnyOrigin, Public, Roles, SkipAudit } from './access.decorators';
import { AuthService } from './auth.service';
import { SESSION_COOKIE, sessionCookieOptions } from './session-cookie';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Opens a session: the token comes back in the body and as an httpOnly cookie. */
  @Public()
  @SkipAudit()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodPipe(loginSchema)) body: LoginInput,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResult> {
    const result = await this.auth.login(body, req);
    res.cookie(SESSION_COOKIE, result.token, sessionCookieOptions(req, this.auth.sessionMaxAgeMs));
    return result;
  }

  @Roles('viewer')
  @AnyOrigin()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(req.principal!);
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
  }

  @Get('me')
  me(@Req() req: Request): MeView {
    return this.auth.me(req.principal!);
  }

  /** Any user changes their own password; their other sessions end. */
  @Roles('viewer')
  @Post('password')
  @HttpCode(204)
  changePassword(@Req() req: Request, @Body(new ZodPipe(changePasswordSchema)) body: ChangePasswordInput): Promise<void> {
    return this.auth.changePassword(req.principal!, body, req.ip);
  }
}
