from clipdesk.cli import main

main()
