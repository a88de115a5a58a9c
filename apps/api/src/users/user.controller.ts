import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createUserSchema, updateUserSchema, type CreateUserInput, type UpdateUserInput, type UserView } from '@walbridge/contracts';
import { Roles } from '../auth/access.decorators';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodPipe } from '../common/zod-body.pipe';
import { UserService } from './user.service';

@ApiTags('users')
@Roles('admin')
@Controller('users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Get()
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post()
  create(@Body(new ZodPipe(createUserSchema)) body: CreateUserInput): Promise<UserView> {
    return this.users.create(body);
  }

  @Patch(':id')
  update(@Param('id', UuidParamPipe) id: string, @Body(new ZodPipe(updateUserSchema)) body: UpdateUserInput, @Req() req: Request): Promise<UserView> {
    return this.users.update(id, body, req.principal!);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id', UuidParamPipe) id: string, @Req() req: Request): Promise<void> {
    return this.users.delete(id, req.principal!);
  }
}
