import Vapor

/// Registers the route collections; no handler lives here.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController(metrics: MetricsBootstrap.registry))
    try app.register(collection: MapAPIController())
    let api = app.grouped(TokenAuthenticator())
    try api.register(collection: OrganisationAPIController())
    try api.register(collection: RegistryAPIController())
    try api.register(collection: AdvisoryAPIController())
    try api.register(collection: AttachmentAPIController())
    try api.register(collection: PocAPIController())
    try api.register(collection: PocVerificationAPIController())
    try api.register(collection: PublicContactAPIController())
    try api.register(collection: AlertAPIController())
    try app.register(collection: GatewayAPIController())
    let pages = app.grouped(CSRFMiddleware())
    try pages.register(collection: WebController(accounts: { req in req.application.accounts(on: req.db) }))
    try pages.register(collection: RelayWebController())
    try pages.register(collection: ContactWebController())
    try pages.register(collection: PocWebController())
    try pages.register(collection: AlertWebController())
}
