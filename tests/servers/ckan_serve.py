"""Start CKAN for the tests, in one process: optionally set up the database,
a sysadmin and an API token first (what `ckan db init`, `ckan sysadmin add`
and `ckan user token add` do, without importing CKAN three more times), then
serve it like `ckan run --disable-reloader --threaded`.

Runs with the CKAN virtualenv's python (.cache/servers/ckan/bin/python):

    python ckan_serve.py CKAN_INI PORT [--bootstrap TOKEN_FILE]

The token is written to TOKEN_FILE (mode 0600), never printed.
"""
import os
import sys


def main():
    ini, port = sys.argv[1], int(sys.argv[2])
    token_file = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--bootstrap" else None

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    if token_file:
        bootstrap(app._wsgi_app, token_file)

    from ckan.lib.i18n import build_js_translations
    from werkzeug.serving import run_simple

    build_js_translations()
    print(f"serving on 127.0.0.1:{port}", flush=True)
    run_simple("127.0.0.1", port, app, use_reloader=False, use_debugger=False, threaded=True)


def bootstrap(flask_app, token_file):
    import ckan.logic as logic
    import ckan.model as model

    model.repo.create_db()
    model.repo.stamp_alembic_head()
    with flask_app.test_request_context():
        site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})
        logic.get_action("user_create")(
            {"ignore_auth": True, "user": site_user["name"]},
            {"name": "admin", "email": "admin@example.org", "password": "openbook-test-password"})
    user = model.User.by_name("admin")
    user.sysadmin = True
    model.Session.add(user)
    model.repo.commit_and_remove()
    with flask_app.test_request_context():
        token = logic.get_action("api_token_create")(
            {"ignore_auth": True, "user": "admin"}, {"user": "admin", "name": "openbook-tests"})["token"]
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)


if __name__ == "__main__":
    main()
