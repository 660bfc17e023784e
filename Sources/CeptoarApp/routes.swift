import Vapor

/// Registers the route collections; no handler lives here.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController(metrics: MetricsBootstrap.registry))
    try app.register(collection: MapAPIController())
    try app.register(collection: StaticAssets())
    try app.register(collection: OpenAPIController())
    // A session cookie counts on the API only with the page's CSRF token in a header; a bearer
    // token is exempt (no browser sends one on its own).
    let api = app.grouped(TokenAuthenticator(), CSRFMiddleware(surface: .api))
    try api.register(collection: OrganisationAPIController())
    try api.register(collection: RegistryAPIController())
    try api.register(collection: AdvisoryAPIController())
    try api.register(collection: AttachmentAPIController())
    try api.register(collection: PocAPIController())
    try api.register(collection: PocVerificationAPIController())
    try api.register(collection: PublicContactAPIController())
    try api.register(collection: AlertAPIController())
    try api.register(collection: TokenAPIController())
    try api.register(collection: AgreementAPIController())
    try api.register(collection: ReportAPIController())
    try api.register(collection: FailureCaseAPIController())
    try api.register(collection: ReportStatisticsAPIController())
    try api.register(collection: SituationAPIController())
    try app.register(collection: GatewayAPIController())
    try app.register(collection: TaxiiController())
    let pages = app.grouped(CSRFMiddleware(surface: .pages), SituationBannerMiddleware())
    try pages.register(collection: WebController(accounts: { req in req.application.accounts(on: req.db) }))
    try pages.register(collection: RelayWebController())
    try pages.register(collection: ContactWebController())
    try pages.register(collection: PocWebController())
    try pages.register(collection: AlertWebController())
    try pages.register(collection: AgreementWebController())
    try pages.register(collection: SyncWebController())
    try pages.register(collection: ReportWebController())
    try pages.register(collection: FailureCaseWebController())
    try pages.register(collection: SituationWebController())
}
