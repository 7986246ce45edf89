"""Model usage: Prisma Client calls, relations, imports followed per symbol, raw SQL."""

from __future__ import annotations

from pathlib import Path

from audits.engine.endpoints import RawSqlFact, UnresolvedImport, accessor_of
from audits.engine.endpoints.classes import class_body, class_members
from audits.engine.endpoints.facts import relations_from_prisma
from audits.engine.endpoints.lexer import tokenize
from audits.engine.endpoints.modules import analyse
from audits.engine.endpoints.sql import sql_tables
from audits.engine.prisma.ast import Field, FieldType, Model, PrismaSchema
from tests.engine.endpoint_trees import PRISMA_CLIENT, models_of, scan

MODELS = ("User", "Order", "OrderItem", "Product", "SupplierProfile", "KYC", "Wallet",
          "Review", "Payment", "Message", "Post")
RELATIONS = {
    "User": {"orders": "Order", "supplierProfile": "SupplierProfile", "posts": "Post"},
    "Order": {"user": "User", "items": "OrderItem", "payment": "Payment"},
    "OrderItem": {"order": "Order", "product": "Product"},
    "Post": {"author": "User"},
}


def test_accessors_lower_only_the_first_character() -> None:
    assert accessor_of("SupplierProfile") == "supplierProfile"
    assert accessor_of("KYC") == "kYC"
    assert accessor_of("user") == "user"


def test_calls_through_any_client_name(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/a/route.ts": "import { prisma } from '../../../lib/db'\n"
                              "export const GET = () => prisma.user.findUnique({})\n",
        "app/api/b/route.ts": "import db from '../../../lib/db'\n"
                              "export const GET = () => db.supplierProfile.upsert({})\n",
        "app/api/c/route.ts": "export const GET = (ctx) => ctx.prisma.kYC.findFirstOrThrow()\n",
        "app/api/d/route.ts": """
            class Repo { constructor(private prisma) {}
              all() { return this.prisma.wallet.aggregate({}) } }
            export const GET = () => new Repo(client).all()
        """,
        "app/api/e/route.ts": "export const GET = () => users.kyc.findMany()\n",
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    assert models_of(result) == {
        "GET /api/a": ("User",),
        "GET /api/b": ("SupplierProfile",),
        "GET /api/c": ("KYC",),
        "GET /api/d": ("Wallet",),
        "GET /api/e": (),  # "kyc" is not Prisma's accessor for KYC
    }


def test_nested_include_and_select_pull_in_related_models(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/orders/route.ts": """
            import { prisma } from '@/lib/db'
            export const GET = () => prisma.order.findMany({
              where: { status: 'PAID' },
              include: { user: true, items: { include: { product: true } } },
            })
            export const POST = () => prisma.post.findFirst({
              select: { id: true, author: { select: { supplierProfile: true, _count: {
                select: { orders: true } } } } },
            })
        """,
        "lib/db.ts": PRISMA_CLIENT,
        "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}',
    }, MODELS, RELATIONS)
    assert models_of(result) == {
        "GET /api/orders": ("Order", "OrderItem", "Product", "User"),
        "POST /api/orders": ("Order", "Post", "SupplierProfile", "User"),
    }
    get = result.endpoint("/api/orders", "GET")
    assert get is not None
    assert [(u.model, u.operation, u.line, u.via) for u in get.uses] == [
        ("Order", "findMany", 2, ""),
        ("OrderItem", "relation", 4, "Order.items"),
        ("Product", "relation", 4, "OrderItem.product"),
        ("User", "relation", 4, "Order.user"),
    ]


def test_a_service_two_imports_away_through_an_alias(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "tsconfig.json": """{
            // aliases like a real Next.js project
            "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] }, },
        }""",
        "app/api/checkout/route.ts": """
            import { checkout } from '@/services'
            export async function POST() { return checkout() }
        """,
        "src/services/index.ts": "export * from './checkout.service'\n"
                                 "export { audit as logAudit } from './audit'\n",
        "src/services/checkout.service.ts": """
            import { charge } from '../lib/payments.js'
            export const checkout = () => charge()
            export const unrelated = () => prisma.review.findMany()
        """,
        "src/lib/payments.ts": """
            import { prisma } from './prisma'
            export async function charge() { return prisma.payment.create({ data: {} }) }
            export async function refund() { return prisma.wallet.update({}) }
        """,
        "src/lib/prisma.ts": PRISMA_CLIENT,
        "src/services/audit.ts": "export const audit = () => prisma.message.create({})\n",
    }, MODELS)
    # per symbol: refund, unrelated and audit live in reached files but are never called
    assert models_of(result) == {"POST /api/checkout": ("Payment",)}
    assert result.unresolved == ()


def test_jsconfig_base_url_and_index_files(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "jsconfig.json": '{"compilerOptions": {"baseUrl": "src"}}',
        "pages/api/users.js": "import { listUsers } from 'services/users'\n"
                              "export default function handler(req, res) { listUsers() }\n",
        "src/services/users/index.js": "import db from '../../db'\n"
                                       "export function listUsers() { return db.user.count() }\n",
        "src/db.js": PRISMA_CLIENT,
    }, MODELS)
    assert models_of(result) == {"* /api/users": ("User",)}


def test_commonjs_require_is_followed_as_a_whole_module(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "server.js": """
            const express = require('express')
            const { listOrders } = require('./controllers/orders')
            const reviews = require('./controllers/reviews')
            const app = express()
            app.get('/orders', listOrders)
            app.get('/reviews', reviews.list)
        """,
        "controllers/orders.js": "exports.listOrders = (req, res) => prisma.order.findMany()\n",
        "controllers/reviews.js": "module.exports = { list: () => prisma.review.findMany() }\n",
    }, MODELS)
    assert models_of(result) == {"GET /orders": ("Order",), "GET /reviews": ("Review",)}


def test_express_handlers_are_attributed_per_route(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "routes/shop.ts": """
            import { Router } from 'express'
            import * as orders from '../controllers/orders'
            import prisma from '../lib/db'
            const router = Router()
            router.get('/orders', orders.list)
            router.get('/me', async (req, res) => res.json(await prisma.user.findUnique({})))
            export default router
        """,
        "controllers/orders.ts": """
            import prisma from '../lib/db'
            export const list = () => prisma.order.findMany()
            export const pay = () => prisma.payment.create({})
        """,
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    assert models_of(result) == {"GET /me": ("User",), "GET /orders": ("Order",)}


def test_transaction_callbacks(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/wallet/route.ts": """
            import { prisma } from '../../../lib/db'
            export async function POST() {
              return prisma.$transaction(async (t) => {
                const wallet = await t.wallet.update({ where: { id }, data: {} })
                await t.trackingEvent.create({ data: {} })
                return wallet
              })
            }
            export const PUT = () =>
              prisma.$transaction([prisma.order.update({}), prisma.user.count()])
        """,
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    assert models_of(result) == {
        "POST /api/wallet": ("Wallet",), "PUT /api/wallet": ("Order", "User"),
    }
    post = result.endpoint("/api/wallet", "POST")
    assert post is not None
    assert post.unknown_reasons == (
        "t.trackingEvent.create() in app/api/wallet/route.ts:5: the schema has no model "
        "TrackingEvent",
    )


def test_comments_strings_and_template_text_are_ignored_but_substitutions_are_code(
        tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/stats/route.ts": """
            import { prisma } from '../../../lib/db'
            export async function GET() {
              // const reviews = await prisma.review.findMany()
              /* await prisma.message.deleteMany()
                 await prisma.payment.count() */
              const help = "call prisma.wallet.findMany() to list wallets"
              const label = 'prisma.order.count()'
              return `users: ${await prisma.user.count()} prisma.kYC.findMany() ${`${help}`}`
            }
        """,
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    assert models_of(result) == {"GET /api/stats": ("User",)}


def test_raw_sql_tables_are_read_and_unreadable_sql_is_unknown(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/(admin)/api/admin/stats/route.ts": """
            import { Prisma } from '@prisma/client'
            import { prisma } from '@/lib/db'
            export async function GET() {
              const a = await prisma.$queryRaw`SELECT count(*) FROM "ContactSubmission" c
                JOIN public."User" u ON u.id = c."userId" WHERE extract(year from c."at") = ${y}`
              const b = await prisma.$executeRawUnsafe('UPDATE "Wallet" SET balance = 0')
              const c = await prisma.$queryRaw(Prisma.sql`SELECT * FROM "Review"`)
              const query = buildQuery()
              return prisma.$queryRawUnsafe(query)
            }
            export async function POST() {
              return prisma.$queryRawUnsafe(`SELECT * FROM ${table}`)
            }
        """,
        "lib/db.ts": PRISMA_CLIENT,
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}',
    }, MODELS)
    get = result.endpoint("/api/admin/stats", "GET")
    post = result.endpoint("/api/admin/stats", "POST")
    assert get is not None and post is not None
    file = "app/(admin)/api/admin/stats/route.ts"
    assert get.raw_sql == (
        RawSqlFact("$queryRaw", file, 4, 'SELECT count(*) FROM "ContactSubmission" c\n'
                   '    JOIN public."User" u ON u.id = c."userId" WHERE extract(year from c."at")'
                   ' = ?', ("ContactSubmission", "User"), True),
        RawSqlFact("$executeRawUnsafe", file, 6, 'UPDATE "Wallet" SET balance = 0', ("Wallet",)),
        RawSqlFact("Prisma.sql", file, 7, 'SELECT * FROM "Review"', ("Review",)),
        RawSqlFact("$queryRawUnsafe", file, 9, None, (), False),
    )
    assert get.unknown_reasons == (f"raw SQL in {file}:9 could not be read",)
    assert post.unknown_reasons == (f"raw SQL in {file}:12 could not be read",)
    assert get.models == ()  # tables become models in the verdict, with the schema's mapping


def test_sql_tables_skips_ctes_functions_and_subqueries() -> None:
    sql = ('WITH recent AS (SELECT * FROM "Order" WHERE "createdAt" > now()) '
           'SELECT substring(name FROM 2), x.* FROM recent r JOIN (SELECT 1 FROM users) s ON true '
           'LEFT JOIN generate_series(1, 3) g ON true; INSERT INTO "AuditLog" VALUES (1) '
           "-- FROM Ghost\n; SELECT 'FROM Fake'")
    assert sql_tables(sql) == (("AuditLog", "Order", "users"), True)
    assert sql_tables("DELETE FROM \x00 WHERE id = \x00") == ((), False)
    assert sql_tables("SELECT 1") == ((), True)


def test_unresolved_imports_are_reported_and_packages_are_not(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/a/route.ts": """
            import { NextResponse } from 'next/server'
            import { z } from 'zod'
            import { PrismaClient } from '@prisma/client'
            import { gone } from './gone'
            import { alsoGone } from '@/lib/nowhere'
            import type { Shape } from './types-only'
            export async function GET() { return gone() }
        """,
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}',
    }, MODELS)
    assert result.unresolved == (
        UnresolvedImport("app/api/a/route.ts", "./gone", 4),
        UnresolvedImport("app/api/a/route.ts", "@/lib/nowhere", 5),
    )
    endpoint = result.endpoint("/api/a", "GET")
    assert endpoint is not None
    assert endpoint.unknown_reasons == (
        'import "./gone" in app/api/a/route.ts:4 could not be resolved',
    )


def test_relations_from_a_prisma_schema() -> None:
    def field(name: str, type_name: str, list_: bool = False) -> Field:
        return Field(name, FieldType(type_name, list=list_))

    schema = PrismaSchema(models=(
        Model("User", (field("id", "String"), field("posts", "Post", True),
                       field("address", "Address"))),
        Model("Post", (field("id", "Int"), field("author", "User"))),
        Model("Address", (field("street", "String"),), kind="type"),
    ))
    assert relations_from_prisma(schema) == {"User": {"posts": "Post"}, "Post": {"author": "User"}}


def test_raw_sql_with_type_arguments(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/t/route.ts": """
            import { prisma } from '../../../lib/db'
            export const GET = () => prisma.$queryRaw<Array<{ n: bigint }>>`SELECT n FROM "Order"`
            export const POST = (sql: string) => prisma.$queryRawUnsafe<Row[]>(sql)
        """,
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    get, post = result.endpoints
    assert [(f.call, f.tables, f.readable) for f in get.raw_sql] == [
        ("$queryRaw", ("Order",), True)]
    assert [(f.call, f.tables, f.readable) for f in post.raw_sql] == [
        ("$queryRawUnsafe", (), False)]


def test_unresolved_imports_of_code_no_endpoint_reaches_are_not_reported(
        tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/a/route.ts": "export const GET = () => 1\n",
        "scripts/cleanup.ts": "import { gone } from './gone'\ngone()\n",
        "server/routes.ts": "import { h } from './handlers'\nrouter.get('/x', h)\n",
    }, MODELS)
    assert [e.route for e in result.endpoints] == ["/api/a", "/x"]
    assert result.unresolved == (UnresolvedImport("server/routes.ts", "./handlers", 1),)


def test_service_classes_are_attributed_per_method(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/orders/route.ts": """
            import { orderService } from '@/services/order.service'
            import OrderRepo from '@/services/order.repo'
            export const GET = () => orderService.getOrder('1')
            export const POST = () => OrderRepo.archive()
            export const PUT = () => orderService.refund()
        """,
        "services/order.service.ts": """
            import { PrismaClient } from '@prisma/client'
            import { prisma } from '@/lib/db'
            import { BaseService } from './base'
            export class OrderService extends BaseService {
              private audit = new AuditTrail()
              constructor(private readonly prisma: PrismaClient) { super() }
              async getOrder(id: string): Promise<{ id: string } | null> {
                return this.withItems(id)
              }
              private withItems = async (id: string) =>
                this.prisma.order.findUnique({ where: { id }, include: { items: true } })
              async listPayments() { return this.prisma.payment.findMany() }
              async refund() { return super.undo() }
            }
            export const orderService = new OrderService(prisma)
        """,
        "services/order.repo.ts": """
            export default class OrderRepo {
              static archive() { return prisma.review.deleteMany({}) }
              static other() { return prisma.wallet.count() }
            }
        """,
        "services/base.ts": "export class BaseService {\n"
                            "  undo() { return prisma.message.count() }\n}\n",
        "lib/db.ts": PRISMA_CLIENT,
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}',
    }, MODELS, RELATIONS)
    assert models_of(result) == {
        "GET /api/orders": ("Order", "OrderItem"),
        "POST /api/orders": ("Review",),
        "PUT /api/orders": ("Message", "Order", "OrderItem", "Payment"),
    }


def test_a_generated_prisma_client_in_the_tree_is_a_library(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "generated/prisma/index.js": "/* !!! This is code generated by Prisma. Do not edit"
                                     " directly. !!! */\nexports.PrismaClient = class {"
                                     " m() { return this.review.findMany() } }\n",
        "lib/db.ts": "import { PrismaClient } from '../generated/prisma'\n"
                     "export const db = new PrismaClient()\n",
        "app/api/u/route.ts": "import { db } from '../../../lib/db'\n"
                              "export const GET = () => db.user.count()\n",
    }, MODELS)
    assert models_of(result) == {"GET /api/u": ("User",)}
    assert result.unresolved == ()


def test_a_model_chosen_at_run_time_is_unknown(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/[model]/route.ts": """
            import { prisma } from '../../../lib/db'
            export const GET = (req, { params }) => prisma[params.model].findMany()
            export const POST = () => prisma['user'].count()
        """,
        "lib/db.ts": PRISMA_CLIENT,
    }, MODELS)
    get, post = result.endpoints
    assert get.unknown_reasons == (
        "prisma[...].findMany() in app/api/[model]/route.ts:2: the model is chosen at run time",)
    assert (post.models, post.unknown_reasons) == (("User",), ())


def test_express_middleware_counts_for_the_routes_under_it(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "server.ts": """
            import express from 'express'
            import cors from 'cors'
            import { loadUser } from './middleware/auth'
            import orders from './routes/orders'
            import { audit } from './middleware/audit'
            const app = express()
            app.use(cors())
            app.use(express.json())
            app.get('/health', (req, res) => res.send('ok'))
            app.use('/api/orders', loadUser, orders)
            app.use(audit)
        """,
        "middleware/auth.ts": """
            export async function loadUser(req, res, next) {
              req.user = await prisma.user.findUnique({ where: { id: req.userId } })
              next()
            }
        """,
        "middleware/audit.ts": "export const audit = (req, res, next) => "
                               "prisma.message.create({}).then(next)\n",
        "routes/orders.ts": """
            import { Router } from 'express'
            const router = Router()
            router.use(async (req, res, next) => { await prisma.wallet.count(); next() })
            router.get('/', (req, res) => prisma.order.findMany())
            export default router
        """,
    }, MODELS)
    # app-level middleware is taken for every route of the app, whatever its order
    assert models_of(result) == {
        "GET /api/orders": ("Message", "Order", "User", "Wallet"),
        "GET /health": ("Message",),
    }


def test_class_members_are_read_with_their_spans_and_types() -> None:
    source = """
@Injectable()
export class OrdersService extends Base<Order> {
  private cache = new Map<string, { at: number }>()
  static instance: OrdersService
  constructor(private readonly prisma: PrismaService, @Inject(X) public mail: Mailer) {
    super()
  }
  @Get(':id')
  async find(id: string): Promise<{ id: string } | null> { return null }
  list = async (take = 20) =>
    this.prisma.order.findMany({ take })
  get total(): number { return 1 }
  overload(a: string): void;
  overload(a: unknown) {}
}
"""
    tokens = tokenize(source)
    module = analyse(Path("orders.service.ts"), tokens)
    body = class_body(tokens, module.decls["OrdersService"][0])
    assert body is not None
    shape = class_members(tokens, body)

    def text(spans: list[tuple[int, int]]) -> list[str]:
        return [" ".join(t.value for t in tokens[a:b]) for a, b in spans]

    assert sorted(shape.members) == ["", "cache", "constructor", "find", "instance", "list",
                                     "mail", "overload", "prisma", "total"]
    assert text(shape.members["constructor"]) == ["{ super ( ) }"]
    assert shape.members["prisma"] == [] and shape.members["mail"] == []
    assert text(shape.members["list"]) == [
        "list = async ( take = 20 ) => this . prisma . order . findMany ( { take } )"]
    assert text(shape.members[""]) == [
        "private cache = new Map < string , { at : number } > ( )",
        "static instance : OrdersService"]
    assert text(shape.members["find"])[0].startswith("@ Get ( :id ) async find")
    assert len(shape.members["overload"]) == 2
    assert shape.types == {"prisma": "PrismaService", "mail": "Mailer", "cache": "Map",
                           "instance": "OrdersService"}


def test_an_import_of_a_computed_path_is_unknown(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/jobs/[name]/route.ts": """
            export async function POST(req, { params }) {
              const job = await import(`../../../../jobs/${params.name}`)
              const fixed = await import(`../../../../jobs/cleanup`)
              return job.run()
            }
        """,
        "jobs/cleanup.ts": "export const run = () => prisma.user.deleteMany({})\n",
    }, MODELS)
    [endpoint] = result.endpoints
    assert endpoint.models == ("User",)
    assert endpoint.unknown_reasons == (
        "import() in app/api/jobs/[name]/route.ts:2 loads a module chosen at run time",)


def test_other_sdks_with_look_alike_calls_are_not_prisma(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "app/api/ai/route.ts": """
            import Anthropic from '@anthropic-ai/sdk'
            import Stripe from 'stripe'
            const client = new Anthropic()
            const stripe = new Stripe(key)
            export async function POST() {
              await stripe.customers.create({})
              return client.messages.create({ model: 'x', messages: [] })
            }
        """,
    }, MODELS)
    [endpoint] = result.endpoints
    assert (endpoint.models, endpoint.unknown_reasons) == ((), ())


def test_a_member_typed_with_an_interface_is_unknown(tmp_path: Path) -> None:
    result = scan(tmp_path, {
        "src/orders.controller.ts": """
            import { PrismaClient } from '@prisma/client'
            import { OrdersRepo } from './orders.repo'
            import { Clock } from './clock'
            @Controller('orders')
            export class OrdersController {
              constructor(private repo: OrdersRepo, private prisma: PrismaClient,
                          private clock: Clock, private logger: Logger) {}
              @Get()
              list() {
                this.logger.log(this.clock.now())
                return this.repo.findAll()
              }
              @Get('count')
              count() { return this.prisma.order.count() }
            }
        """,
        "src/orders.repo.ts": "export interface OrdersRepo { findAll(): Promise<unknown[]> }\n",
        "src/clock.ts": "export class Clock { now() { return prisma.wallet.count() } }\n",
        "src/payments.controller.ts": """
            import { PaymentGateway } from './gateway'
            @Controller('payments')
            export class PaymentsController {
              constructor(private gateway: PaymentGateway) {}
              @Post() pay() { return this.gateway.charge() }
            }
        """,
        "src/gateway.ts": """
            export abstract class PaymentGateway {
              abstract charge(): Promise<void>
              log() { return prisma.message.count() }
            }
        """,
    }, MODELS)
    paying = result.endpoint("/payments", "POST")
    assert paying is not None
    assert paying.unknown_reasons == (
        "this.gateway.charge() in src/payments.controller.ts:5: gateway is typed "
        "PaymentGateway, whose class is chosen at run time",)
    listing = result.endpoint("/orders", "GET")
    assert listing is not None
    assert listing.models == ("Wallet",)
    assert listing.unknown_reasons == (
        "this.repo.findAll() in src/orders.controller.ts:11: repo is typed OrdersRepo, "
        "whose class is chosen at run time",)
    counting = result.endpoint("/orders/count", "GET")
    assert counting is not None
    assert (counting.models, counting.unknown_reasons) == (("Order",), ())
