import NozzleFastCGI

App(routes: .generated).main()
