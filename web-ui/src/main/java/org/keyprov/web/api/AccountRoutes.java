package org.keyprov.web.api;

import io.javalin.http.Context;
import java.util.Arrays;
import java.util.Locale;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.OperatorAccounts.Operator;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.web.api.Api.Access;
import org.keyprov.web.api.Bodies.Login;
import org.keyprov.web.api.Bodies.NewOperator;
import org.keyprov.web.api.Bodies.NewToken;
import org.keyprov.web.api.Bodies.PasswordChange;
import org.keyprov.web.api.Views.IssuedToken;
import org.keyprov.web.api.Views.Items;
import org.keyprov.web.api.Views.Me;
import org.keyprov.web.api.Views.NewPassword;
import org.keyprov.web.api.Views.OperatorView;
import org.keyprov.web.api.Views.TokenView;

/** Signing in and out, one's own password and API tokens, and (for admins) operator accounts. */
final class AccountRoutes {
  private final KeyManager km;
  private final Sessions sessions;

  AccountRoutes(KeyManager km, Sessions sessions) {
    this.km = km;
    this.sessions = sessions;
  }

  void register(Api api) {
    api.tag("session");
    api.post("/session", "Signs in: sets the session cookie and answers the CSRF token")
        .access(Access.PUBLIC)
        .body(Login.class)
        .answers(Me.class)
        .run(this::login);
    api.get("/session", "Who is signed in (or which token is used), and the CSRF token")
        .answers(Me.class)
        .run(
            c ->
                new Me(
                    c.caller().username(),
                    Views.lower(c.caller().role()),
                    c.caller().csrf(),
                    c.caller().tokenLabel()));
    api.delete("/session", "Signs out")
        .access(Access.PUBLIC)
        .answers(204, null)
        .run(
            c -> {
              sessions.close(c.ctx().cookie(Auth.COOKIE));
              c.ctx()
                  .res()
                  .addHeader(
                      "Set-Cookie",
                      Auth.COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
              return Reply.noContent();
            });
    api.post("/session/password", "Changes one's own password (other sessions end)")
        .access(Access.SELF)
        .body(PasswordChange.class)
        .answers(204, null)
        .run(this::changePassword);

    api.tag("tokens");
    api.get("/tokens", "API tokens: one's own, or every operator's for an admin")
        .answers(new Types.Of(Items.class, TokenView.class))
        .run(
            c ->
                new Items<>(
                    km
                        .tokens()
                        .list(c.caller().role() == Role.ADMIN ? null : c.caller().username())
                        .stream()
                        .map(TokenView::of)
                        .toList()));
    api.post("/tokens", "Issues a personal API token; its secret is shown once")
        .access(Access.SELF)
        .body(NewToken.class)
        .answers(201, IssuedToken.class)
        .run(this::issue);
    api.delete("/tokens/{id}", "Revokes an API token (one's own, or any for an admin)")
        .access(Access.SELF)
        .answers(204, null)
        .run(
            c -> {
              km.tokens()
                  .revoke(
                      c.path("id"),
                      c.caller().role() == Role.ADMIN ? null : c.caller().username(),
                      c.actor());
              return Reply.noContent();
            });

    api.tag("operators");
    api.get("/operators", "Operator accounts")
        .access(Access.ADMIN)
        .answers(new Types.Of(Items.class, OperatorView.class))
        .run(
            c ->
                new Items<>(
                    km.operators().list().stream()
                        .map(o -> new OperatorView(o.username(), Views.lower(o.role())))
                        .toList()));
    api.post("/operators", "Creates an operator account")
        .access(Access.ADMIN)
        .body(NewOperator.class)
        .answers(201, OperatorView.class)
        .run(this::createOperator);
    api.delete("/operators/{username}", "Deletes an operator account, its sessions and tokens")
        .access(Access.ADMIN)
        .answers(204, null)
        .run(
            c -> {
              km.operators().delete(c.path("username"), c.actor());
              return Reply.noContent();
            });
    api.post(
            "/operators/{username}/password-reset",
            "Gives the account a new random password, shown once (its sessions end)")
        .access(Access.ADMIN)
        .answers(NewPassword.class)
        .run(
            c -> {
              String username = c.path("username");
              // shown once, like the initial admin password and a new device's DM PSK
              return new NewPassword(username, km.operators().resetPassword(username, c.actor()));
            });
  }

  private Me login(Api.Call<Login> c) {
    char[] password = c.body().password().toCharArray();
    Operator operator;
    try {
      operator =
          km.operators()
              .authenticate(c.body().username(), password)
              .orElseThrow(
                  () ->
                      new ApiException(401, "unauthenticated", null, "wrong username or password"));
    } finally {
      Arrays.fill(password, '\0');
    }
    Sessions.Session s = sessions.open(operator);
    Context ctx = c.ctx();
    ctx.res()
        .addHeader(
            "Set-Cookie",
            Auth.COOKIE + "=" + s.token() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
    return new Me(operator.username(), Views.lower(operator.role()), s.csrf(), null);
  }

  /** The caller replaces their password; their other sessions end (new stamp). */
  private Reply changePassword(Api.Call<PasswordChange> c) {
    char[] current = c.body().current().toCharArray();
    char[] replacement = c.body().password().toCharArray();
    boolean changed;
    try {
      changed = km.operators().changePassword(c.caller().username(), current, replacement);
    } catch (KeyManagerException e) {
      if (e.kind() == KeyManagerException.Kind.INVALID) {
        throw ApiException.badRequest("password", e.getMessage());
      }
      throw e;
    } finally {
      Arrays.fill(current, '\0');
      Arrays.fill(replacement, '\0');
    }
    if (!changed) {
      throw ApiException.badRequest("current", "the current password is wrong");
    }
    if (c.caller().session() != null) {
      sessions.restamp(c.caller().session());
    }
    return Reply.noContent();
  }

  private Reply issue(Api.Call<NewToken> c) {
    if (c.caller().tokenLabel() != null) {
      throw new ApiException(
          403,
          "forbidden",
          null,
          "a token cannot issue tokens: issue them signed in, or with keyprov admin issue-token");
    }
    Role scope =
        c.body().scope() == null
            ? c.caller().role()
            : Role.valueOf(c.body().scope().toUpperCase(Locale.ROOT));
    org.keyprov.keys.ApiTokens.Issued issued;
    try {
      issued = km.tokens().issue(c.caller().username(), c.body().name(), scope, c.actor());
    } catch (KeyManagerException e) {
      if (e.kind() == KeyManagerException.Kind.INVALID) {
        throw ApiException.badRequest(
            e.getMessage().contains("name") ? "name" : "scope", e.getMessage());
      }
      throw e;
    }
    var t = issued.token();
    // the secret is shown once; only its hash is stored
    return Reply.created(
        "/api/v1/tokens/" + t.id(),
        new IssuedToken(t.id(), t.name(), t.username(), Views.lower(t.scope()), issued.secret()));
  }

  private Reply createOperator(Api.Call<NewOperator> c) {
    Role role = Role.valueOf(c.body().role().toUpperCase(Locale.ROOT));
    char[] password = c.body().password().toCharArray();
    try {
      var o = km.operators().create(c.body().username(), password, role, c.actor());
      return Reply.created(
          "/api/v1/operators/" + o.username(),
          new OperatorView(o.username(), Views.lower(o.role())));
    } catch (KeyManagerException e) {
      if (e.kind() == KeyManagerException.Kind.INVALID) {
        throw ApiException.badRequest(
            e.getMessage().contains("password") ? "password" : "username", e.getMessage());
      }
      throw e;
    } finally {
      Arrays.fill(password, '\0');
    }
  }
}
