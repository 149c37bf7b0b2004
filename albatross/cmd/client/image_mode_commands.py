"""`albatross image mode set|show|unset`: an image's sync mode (none, auto, lazy) or, with
--project, the project's default."""
from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors

FIELDS = ["project_id", "image_id", "mode", "set_on", "source_region", "target_regions",
          "propagate_deletes", "updated_at", "poll"]


def _path(args) -> tuple[str, str]:
    """(URL, envelope key) for the image's mode or the project default."""
    if bool(args.image) == bool(args.project):
        raise ValueError("give an IMAGE_ID or --project PROJECT_ID (one of them)")
    if args.project:
        return f"/v1/projects/{args.project}/image-sync", "image_sync"
    return f"/v1/images/{args.image}/sync-mode", "sync_mode"


def _show(answer: dict, key: str, fmt: str) -> None:
    setting = answer[key]
    output.fields(setting, [k for k in FIELDS if k in setting], fmt)


def mode_set(args):
    if args.target and args.all_regions:
        raise ValueError("give --target REGION (repeatable) or --all-regions, not both")
    path, key = _path(args)
    body = {"mode": args.mode}
    if args.source:
        body["source_region"] = args.source
    if args.target or args.all_regions:
        body["target_regions"] = "all" if args.all_regions else args.target
    if args.propagate_deletes:
        body["propagate_deletes"] = True
    _show(client_for(args).request("PUT", path, body=body), key, args.format)
    return 0


def mode_show(args):
    path, key = _path(args)
    _show(client_for(args).get(path), key, args.format)
    return 0


def mode_unset(args):
    path, _key = _path(args)
    client_for(args).delete(path)
    output.console.print("unset: back to the project default" if args.image
                         else "unset: the project's images are back to mode none")
    return 0


def _target(p):
    p.add_argument("image", nargs="?", metavar="IMAGE_ID", help="one image (its mode for "
                                                                "your project)")
    p.add_argument("--project", metavar="PROJECT_ID", help="the project's default instead")
    add_common_options(p)


def register(image):
    """Adds `image mode ...` under the `image` subparsers."""
    mode = image.add_parser("mode", help="how images travel without a request: none, auto, "
                                         "lazy").add_subparsers(dest="mode_action",
                                                                required=True)
    p = mode.add_parser("set", help="set an image's mode or the project default")
    _target(p)
    p.add_argument("--mode", required=True, choices=["none", "auto", "lazy"])
    p.add_argument("--source", help="region images are copied from (auto; lazy: where "
                                    "ensure looks first)")
    p.add_argument("--target", action="append", help="auto: target region (repeatable)")
    p.add_argument("--all-regions", action="store_true", help="auto: every region but the "
                                                              "source")
    p.add_argument("--propagate-deletes", action="store_true",
                   help="auto: delete the copies Albatross made when the source is deleted")
    p.set_defaults(func=handle_errors(mode_set))
    p = mode.add_parser("show", help="the effective mode and where it comes from")
    _target(p)
    p.set_defaults(func=handle_errors(mode_show))
    p = mode.add_parser("unset", help="remove an image's mode or the project default")
    _target(p)
    p.set_defaults(func=handle_errors(mode_unset))
