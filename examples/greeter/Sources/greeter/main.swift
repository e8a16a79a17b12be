import NozzleFastCGI
import NozzleOpenAPI

var app = App(routes: .generated)
// The operations of openapi.yaml, served beside the route files (api/health.swift).
try app.openAPI { transport in try Handlers().registerHandlers(on: transport) }
app.main()
