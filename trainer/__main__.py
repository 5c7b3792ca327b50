from trainer.cli.launch import main

raise SystemExit(main())
