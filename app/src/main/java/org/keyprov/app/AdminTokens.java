package org.keyprov.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.keyprov.keys.ApiTokens;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.keys.OperatorAccounts.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code admin issue-token}, {@code list-tokens}, {@code revoke-token}: operators' API tokens. */
final class AdminTokens {
  private AdminTokens() {}

  @Command(
      name = "issue-token",
      mixinStandardHelpOptions = true,
      description = {
        "Issues a personal API token for an operator and prints its secret once: scripts send it",
        "as Authorization: Bearer SECRET to /api/v1 (no session or CSRF token needed)."
      })
  static final class Issue implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--username", required = true, description = "The operator it acts for.")
    String username;

    @Option(names = "--name", required = true, description = "What it is for, e.g. ci-deploy.")
    String name;

    @Option(
        names = "--scope",
        description =
            "admin, operator or auditor; at most the operator's role (default: that role).")
    String scope;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        Role role =
            scope == null
                ? store.keyManager.operators().list().stream()
                    .filter(o -> o.username().equals(username))
                    .findFirst()
                    .map(o -> o.role())
                    .orElseThrow(() -> new UsageException("no operator '" + username + "'"))
                : role(scope);
        ApiTokens.Issued issued =
            store.keyManager.tokens().issue(username, name, role, CredentialAdmin.cliActor());
        spec.commandLine()
            .getOut()
            .printf(
                "token %s (%s) issued for %s, scope %s; secret (shown once): %s%n",
                issued.token().name(),
                issued.token().id(),
                username,
                role.name().toLowerCase(Locale.ROOT),
                issued.secret());
      }
      return 0;
    }

    private static Role role(String scope) {
      try {
        return Role.valueOf(scope.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "--scope " + scope + ": give admin, operator or auditor (at most the operator's role)");
      }
    }
  }

  @Command(
      name = "list-tokens",
      mixinStandardHelpOptions = true,
      description = "Lists every operator's API tokens (never a secret), revoked ones included.")
  static final class ListTokens extends AdminLists.Listing {
    @Override
    List<Map<String, Object>> rows(Storage store) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (ApiTokens.Token t : store.keyManager.tokens().list(null)) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", t.id());
        row.put("name", t.name());
        row.put("username", t.username());
        row.put("scope", t.scope().name().toLowerCase(Locale.ROOT));
        row.put("createdAt", t.createdAt().toString());
        row.put("revokedAt", t.revokedAt().map(Object::toString).orElse(null));
        rows.add(row);
      }
      return rows;
    }

    @Override
    String format() {
      return "%-14s %-20s %-16s %-10s %-28s %s%n";
    }

    @Override
    Object[] header() {
      return new Object[] {"ID", "NAME", "OPERATOR", "SCOPE", "ISSUED", "REVOKED"};
    }
  }

  @Command(
      name = "revoke-token",
      mixinStandardHelpOptions = true,
      description = "Revokes an API token: calls with it are refused from now on.")
  static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin StorageOptions storage;

    @Option(names = "--id", required = true, description = "Its id (admin list-tokens).")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Storage store = storage.open()) {
        store.keyManager.tokens().revoke(id, null, CredentialAdmin.cliActor());
        spec.commandLine().getOut().printf("token %s revoked%n", id);
      }
      return 0;
    }
  }
}
