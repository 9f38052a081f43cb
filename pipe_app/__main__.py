from pipe_app.cli import main

raise SystemExit(main())
