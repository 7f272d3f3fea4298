from core.evaluate.compare import main

raise SystemExit(main())
