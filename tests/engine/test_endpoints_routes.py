"""Endpoint discovery: Next.js App and Pages Routers, Express- and Fastify-style routers."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.engine.endpoints import scan_backend
from audits.engine.endpoints.lexer import tokenize
from audits.engine.endpoints.nextjs import next_segments, request_methods
from audits.engine.endpoints.routes import join_route
from audits.engine.errors import EngineError
from tests.engine.endpoint_trees import PRISMA_CLIENT, models_of, routes, scan


def test_next_segments_drop_groups_and_slots_and_name_params() -> None:
    assert next_segments(("(admin)", "api", "orders", "[id]")) == "/api/orders/:id"
    assert next_segments(("api", "docs", "[...slug]")) == "/api/docs/:slug*"
    assert next_segments(("api", "shop", "[[...path]]")) == "/api/shop/:path*?"
    assert next_segments(("@modal", "api", "(v1)", "ping")) == "/api/ping"
    assert next_segments(()) == "/"


def test_app_router_exports_in_every_form(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/orders/[id]/route.ts": """
            export async function GET(req: Request) { return Response.json({}) }
            export const PATCH = async () => Response.json({})
            const remove = () => new Response(null)
            export { remove as DELETE }
            function helper() {}
            export const dynamic = "force-dynamic"
        """,
        "app/(admin)/api/admin/stats/route.js": "export function POST() {}\n",
        "src/app/api/docs/[...slug]/route.tsx": "export function HEAD() {}\n",
        "app/api/shop/[[...path]]/route.mjs": "export const OPTIONS = () => null\n",
        "app/api/_internal/route.ts": "export function GET() {}\n",
        "app/api/orders/page.tsx": "export default function Page() { return null }\n",
        "app/api/orders/[id]/helpers.ts": "export function GET() {}\n",
    })
    assert routes(result) == [
        ("/api/admin/stats", ("POST",), "app/(admin)/api/admin/stats/route.js"),
        ("/api/docs/:slug*", ("HEAD",), "src/app/api/docs/[...slug]/route.tsx"),
        ("/api/orders/:id", ("GET",), "app/api/orders/[id]/route.ts"),
        ("/api/orders/:id", ("PATCH",), "app/api/orders/[id]/route.ts"),
        ("/api/orders/:id", ("DELETE",), "app/api/orders/[id]/route.ts"),
        ("/api/shop/:path*?", ("OPTIONS",), "app/api/shop/[[...path]]/route.mjs"),
    ]
    assert [e.line for e in result.endpoints if e.route == "/api/orders/:id"] == [1, 2, 3]


def test_app_router_handlers_re_exported_from_another_module(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/auth/[...nextauth]/route.ts": "export { GET, POST } from '@/auth'\n",
        "app/api/users/route.ts": "export * from '../../../handlers/users'\n",
        "auth.ts": "export const { handlers: { GET, POST }, auth } = NextAuth({})\n",
        "handlers/users.ts": "import { prisma } from '../lib/db'\n"
                             "export const GET = () => prisma.user.findMany()\n",
        "lib/db.ts": PRISMA_CLIENT,
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}',
    })
    assert routes(result) == [
        ("/api/auth/:nextauth*", ("GET",), "app/api/auth/[...nextauth]/route.ts"),
        ("/api/auth/:nextauth*", ("POST",), "app/api/auth/[...nextauth]/route.ts"),
        ("/api/users", ("GET",), "app/api/users/route.ts"),
    ]
    assert models_of(result)["GET /api/users"] == ("User",)


def test_pages_router_index_dynamic_segments_and_every_method(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pages/api/index.ts": "export default function handler(req, res) {}\n",
        "pages/api/orders/index.ts": "export default async (req, res) => res.json([])\n",
        "pages/api/orders/[id].ts": "const h = (req, res) => {}\nexport default h\n",
        "src/pages/api/files/[...path].js": "export default function files(req, res) {}\n",
        "pages/api/_lib/util.ts": "export default function util() {}\n",
        "pages/index.tsx": "export default function Home() { return null }\n",
        "pages/api/types.ts": "export type X = string\n",
    })
    assert routes(result) == [
        ("/api", ("*",), "pages/api/index.ts"),
        ("/api/files/:path*", ("*",), "src/pages/api/files/[...path].js"),
        ("/api/orders", ("*",), "pages/api/orders/index.ts"),
        ("/api/orders/:id", ("*",), "pages/api/orders/[id].ts"),
    ]


def test_pages_router_lists_methods_when_the_handler_switches_on_them(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pages/api/a.ts": """
            export default async function handler(req, res) {
              switch (req.method) {
                case 'POST': return create(req, res)
                case "GET": return list(req, res)
                default: res.status(405).end()
              }
            }
        """,
        "pages/api/b.ts": """
            export default function handler(req, res) {
              if (req.method !== 'POST') return res.status(405).end()
              if ('DELETE' === request.method) {}
            }
        """,
        "pages/api/c.ts": """
            export default function handler(req, res) {
              if (!['PUT', 'PATCH'].includes(req.method)) return res.status(405).end()
            }
        """,
        "pages/api/d.ts": """
            export default async function handler(req, res) {
              const { method } = req
              switch (method) {
                case 'GET': return res.json([])
                case 'PUT': return res.json({})
                default:
                  res.setHeader('Allow', ['GET', 'PUT'])
                  res.status(405).end(`Method ${method} Not Allowed`)
              }
            }
        """,
    })
    assert routes(result) == [
        ("/api/a", ("GET", "POST"), "pages/api/a.ts"),
        ("/api/b", ("POST", "DELETE"), "pages/api/b.ts"),
        ("/api/c", ("PUT", "PATCH"), "pages/api/c.ts"),
        ("/api/d", ("GET", "PUT"), "pages/api/d.ts"),
    ]


def test_request_methods_ignores_other_strings() -> None:
    tokens = tokenize("const m = 'GET'; if (x.kind === 'POST') {}\n")
    assert request_methods(tokens) == ()


def test_express_router_verbs_chains_and_all(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/routes/orders.ts": """
            import express from 'express'
            const orders = express.Router()
            orders.get('/', list)
            orders.post("/:id/pay", auth, async (req, res) => {})
            orders.route('/:id').get(show).put(update).delete(destroy)
            orders.all('/legacy/*', legacy)
            app.set('trust proxy', 1)
            app.get('env')
            export default orders
        """,
    })
    assert routes(result) == [
        ("/", ("GET",), "src/routes/orders.ts"),
        ("/:id", ("GET",), "src/routes/orders.ts"),
        ("/:id", ("PUT",), "src/routes/orders.ts"),
        ("/:id", ("DELETE",), "src/routes/orders.ts"),
        ("/:id/pay", ("POST",), "src/routes/orders.ts"),
        ("/legacy/*", ("*",), "src/routes/orders.ts"),
    ]


def test_express_prefix_from_the_same_file_and_from_an_importer(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "server.ts": """
            import express, { Router } from 'express'
            import ordersRouter from './routes/orders'
            import { usersRouter } from './routes/users'
            const app = express()
            const health = Router()
            health.get('/ping', (req, res) => res.send('ok'))
            app.use('/health', health)
            app.use('/api/orders', requireAuth, ordersRouter)
            app.use('/api/users', usersRouter)
            app.get('/', (req, res) => res.send('home'))
        """,
        "routes/orders.ts": """
            import { Router } from 'express'
            const router = Router()
            router.get('/:id', show)
            export default router
        """,
        "routes/users.ts": """
            import { Router } from 'express'
            export const usersRouter = Router()
            usersRouter.delete('/:id/', remove)
        """,
    })
    assert routes(result) == [
        ("/", ("GET",), "server.ts"),
        ("/api/orders/:id", ("GET",), "routes/orders.ts"),
        ("/api/users/:id", ("DELETE",), "routes/users.ts"),
        ("/health/ping", ("GET",), "server.ts"),
    ]


def test_fastify_routes_route_objects_and_register_prefixes(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/app.ts": """
            import Fastify from 'fastify'
            const server = Fastify({ logger: true })
            server.register(import('./plugins/wallet'), { prefix: '/api/wallet' })
            server.get('/health', async () => ({ ok: true }))
        """,
        "src/plugins/wallet.ts": """
            export default async function wallet(fastify) {
              fastify.get('/balance', async () => 1)
              fastify.route({ method: ['POST', 'PUT'], url: '/topup', handler: topUp })
            }
        """,
    })
    assert routes(result) == [
        ("/api/wallet/balance", ("GET",), "src/plugins/wallet.ts"),
        ("/api/wallet/topup", ("POST", "PUT"), "src/plugins/wallet.ts"),
        ("/health", ("GET",), "src/app.ts"),
    ]


def test_http_clients_and_tests_are_not_endpoints(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "lib/client.ts": """
            import axios from 'axios'
            const api = axios.create({})
            export const getOrders = () => api.get('/api/orders')
            export const load = () => axios.post('/api/orders', {})
        """,
        "tests/orders.test.ts": "router.get('/x', h)\n",
        "node_modules/express/lib/router.js": "router.get('/y', h)\n",
    })
    assert routes(result) == []


def test_join_route() -> None:
    assert join_route("/api/", "/orders/") == "/api/orders"
    assert join_route("", "/") == "/"


def test_monorepo_apps_with_their_own_aliases_and_workspace_packages(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "package.json": '{"name": "acme", "private": true}',
        "apps/web/package.json": '{"name": "@acme/web"}',
        "apps/web/tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "apps/web/src/app/api/orders/route.ts": "import { list } from '@/server/orders'\n"
                                                "export const GET = () => list()\n",
        "apps/web/src/server/orders.ts": "import { db } from '@acme/db'\n"
                                         "export const list = () => db.user.findMany()\n",
        "apps/admin/package.json": '{"name": "@acme/admin"}',
        "apps/admin/pages/api/stats.ts": "import { db } from '@acme/db/client'\n"
                                         "export default () => db.user.count()\n",
        "packages/db/package.json": '{"name": "@acme/db", "main": "./dist/index.js"}',
        "packages/db/src/index.ts": "export * from './client'\n",
        "packages/db/src/client.ts": "import { PrismaClient } from '@prisma/client'\n"
                                     "export const db = new PrismaClient()\n",
        "packages/ui/components/app/api/x/route.ts": "export const GET = () => 1\n",
    })
    assert routes(result) == [
        ("/api/orders", ("GET",), "apps/web/src/app/api/orders/route.ts"),
        ("/api/stats", ("*",), "apps/admin/pages/api/stats.ts"),
    ]
    assert models_of(result) == {"GET /api/orders": ("User",), "* /api/stats": ("User",)}
    assert result.unresolved == ()


def test_nestjs_controllers_with_injected_services(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/main.ts": """
            import { NestFactory } from '@nestjs/core'
            import { AppModule } from './app.module'
            async function bootstrap() {
              const app = await NestFactory.create(AppModule)
              app.setGlobalPrefix('api')
              await app.listen(3000)
            }
            bootstrap()
        """,
        "src/orders/orders.controller.ts": """
            import { Controller, Get, Post, Param, Body, UseGuards } from '@nestjs/common'
            import { OrdersService } from './orders.service'

            @Controller('orders')
            @UseGuards(AuthGuard)
            export class OrdersController {
              constructor(private readonly ordersService: OrdersService) {}

              @Get()
              findAll() { return this.ordersService.findAll() }

              @Get(':id')
              @HttpCode(200)
              findOne(@Param('id') id: string) { return this.ordersService.findOne(id) }

              @Post(['pay', 'checkout'])
              pay(@Body() body: PayDto) { return this.ordersService.pay(body) }

              private helper() {}
            }
        """,
        "src/orders/orders.service.ts": """
            import { Injectable } from '@nestjs/common'
            import { PrismaService } from '../prisma.service'
            @Injectable()
            export class OrdersService {
              constructor(private prisma: PrismaService) {}
              findAll() { return this.prisma.order.findMany({ include: { items: true } }) }
              findOne(id: string) { return this.prisma.order.findUnique({ where: { id } }) }
              pay(body: unknown) { return this.prisma.payment.create({ data: {} }) }
            }
        """,
        "src/prisma.service.ts": """
            import { Injectable, OnModuleInit } from '@nestjs/common'
            import { PrismaClient } from '@prisma/client'
            @Injectable()
            export class PrismaService extends PrismaClient implements OnModuleInit {
              async onModuleInit() { await this.$connect() }
            }
        """,
        "src/health.controller.ts": """
            @Controller({ path: 'health' })
            export class HealthController { @Get() ping() { return 'ok' } }
        """,
    }, ("Order", "OrderItem", "Payment"), {"Order": {"items": "OrderItem"}})
    assert routes(result) == [
        ("/api/health", ("GET",), "src/health.controller.ts"),
        ("/api/orders", ("GET",), "src/orders/orders.controller.ts"),
        ("/api/orders/:id", ("GET",), "src/orders/orders.controller.ts"),
        ("/api/orders/checkout", ("POST",), "src/orders/orders.controller.ts"),
        ("/api/orders/pay", ("POST",), "src/orders/orders.controller.ts"),
    ]
    assert models_of(result) == {
        "GET /api/health": (),
        "GET /api/orders": ("Order", "OrderItem"),
        "GET /api/orders/:id": ("Order",),
        "POST /api/orders/checkout": ("Payment",),
        "POST /api/orders/pay": ("Payment",),
    }


def test_hono_apps_mounted_with_route(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/index.ts": """
            import { Hono } from 'hono'
            import books from './books'
            const api = new Hono()
            api.route('/books', books)
            export default api
        """,
        "src/books.ts": """
            import { Hono } from 'hono'
            const books = new Hono()
            books.get('/:id', (c) => c.json(prisma.user.findUnique({})))
            export default books
        """,
    })
    assert routes(result) == [("/books/:id", ("GET",), "src/books.ts")]
    assert models_of(result) == {"GET /books/:id": ("User",)}


def test_anonymous_default_classes_and_functions(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pages/api/a.ts": "export default class extends Base {}\n",
        "pages/api/b.ts": "export default function (req, res) { return prisma.user.count() }\n",
    })
    assert models_of(result) == {"* /api/a": (), "* /api/b": ("User",)}


def test_pages_router_with_next_connect_has_one_endpoint_per_handler(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "pages/api/orders/[id].ts": """
            import { createRouter } from 'next-connect'
            const router = createRouter()
            router.use(auth).get(async (req, res) => res.json(await prisma.order.findMany()))
            router.delete(async (req, res) => res.json(await prisma.user.delete({})))
            const cached = cache.get(key)
            export default router.handler()
        """,
        "pages/api/legacy.js": """
            import nc from 'next-connect'
            export default nc().post((req, res) => prisma.user.create({}))
        """,
    }, ("Order", "User"))
    assert routes(result) == [
        ("/api/legacy", ("POST",), "pages/api/legacy.js"),
        ("/api/orders/:id", ("GET",), "pages/api/orders/[id].ts"),
        ("/api/orders/:id", ("DELETE",), "pages/api/orders/[id].ts"),
    ]
    assert models_of(result) == {"POST /api/legacy": ("User",), "GET /api/orders/:id": ("Order",),
                                 "DELETE /api/orders/:id": ("User",)}


def test_routers_that_carry_their_own_prefix(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/koa.ts": """
            import Router from '@koa/router'
            const router = new Router({ prefix: '/api/v1' })
            router.get('/users/:id', show)
        """,
        "src/hono.ts": """
            import { Hono } from 'hono'
            const app = new Hono().basePath('/edge')
            app.post('/track', track)
        """,
    })
    assert routes(result) == [
        ("/api/v1/users/:id", ("GET",), "src/koa.ts"),
        ("/edge/track", ("POST",), "src/hono.ts"),
    ]


def test_trpc_procedures_replace_the_catch_all_route(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "tsconfig.json": '{"compilerOptions": {"paths": {"~/*": ["./src/*"]}}}',
        "src/app/api/trpc/[trpc]/route.ts": """
            import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
            import { appRouter } from '~/server/api/root'
            const handler = (req: Request) =>
              fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter,
                                    createContext: () => ({}) })
            export { handler as GET, handler as POST }
        """,
        "src/server/api/trpc.ts": """
            import { initTRPC } from '@trpc/server'
            import { db } from '~/server/db'
            const t = initTRPC.create()
            export const createTRPCRouter = t.router
            export const publicProcedure = t.procedure
            export const protectedProcedure = t.procedure.use(async ({ ctx, next }) =>
              next({ ctx: { session: await db.session.findFirst() } }))
        """,
        "src/server/db.ts": "export const db = new PrismaClient()\n",
        "src/server/api/root.ts": """
            import { createTRPCRouter, protectedProcedure } from './trpc'
            import { postRouter } from './routers/post'
            const stats = protectedProcedure.query(({ ctx }) => ctx.db.user.count())
            export const appRouter = createTRPCRouter({ post: postRouter, admin: { stats } })
        """,
        "src/server/api/routers/post.ts": """
            import { createTRPCRouter, publicProcedure, protectedProcedure } from '../trpc'
            export const postRouter = createTRPCRouter({
              latest: publicProcedure.query(({ ctx }) => ctx.db.post.findFirst({})),
              create: protectedProcedure
                .input(z.object({ name: z.string() }))
                .mutation(({ ctx, input }) => ctx.db.post.create({ data: input })),
            })
        """,
    }, ("Post", "Session", "User"))
    assert routes(result) == [
        ("/api/trpc/admin.stats", ("GET",), "src/server/api/root.ts"),
        ("/api/trpc/post.create", ("POST",), "src/server/api/routers/post.ts"),
        ("/api/trpc/post.latest", ("GET",), "src/server/api/routers/post.ts"),
    ]
    assert models_of(result) == {"GET /api/trpc/admin.stats": ("Session", "User"),
                                 "POST /api/trpc/post.create": ("Post", "Session"),
                                 "GET /api/trpc/post.latest": ("Post",)}


def test_a_missing_code_folder_is_an_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="is not a folder"):
        scan_backend(tmp_path / "nowhere", ["User"], {})
