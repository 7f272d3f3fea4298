from core.export.gguf import main

raise SystemExit(main())
