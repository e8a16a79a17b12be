// An app's main.swift imports only NozzleFastCGI; the core types come with it.
@_exported import Nozzle
