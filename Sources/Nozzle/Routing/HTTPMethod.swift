// ``HTTPMethod`` and the route grammar live in their own small module, which the route compiler
// shares; an app that imports Nozzle sees them as Nozzle's own.
@_exported public import NozzleRouteGrammar
