from core.ahk.cli import main

raise SystemExit(main())
