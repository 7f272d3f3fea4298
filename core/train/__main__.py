from core.train.trainer import main

raise SystemExit(main())
