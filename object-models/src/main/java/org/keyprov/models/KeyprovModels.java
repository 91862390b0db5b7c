package org.keyprov.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.eclipse.leshan.core.model.InvalidDDFFileException;
import org.eclipse.leshan.core.model.InvalidModelException;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;

/**
 * The keyprov object models: every DDF file in this package's resource folder, loaded with schema
 * and model validation on. One source of truth for server and client.
 */
public final class KeyprovModels {
  private static final String FOLDER = "org/keyprov/models/ddf/";

  private KeyprovModels() {}

  /** The keyprov models only. */
  public static List<ObjectModel> load() {
    List<ObjectModel> models = new ArrayList<>();
    for (String name : ddfFileNames()) {
      try (InputStream in =
          KeyprovModels.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
        models.addAll(ObjectLoader.loadDdfFile(in, name, true));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read model " + name, e);
      } catch (InvalidDDFFileException | InvalidModelException e) {
        throw new IllegalStateException("invalid model " + name + ": " + e.getMessage(), e);
      }
    }
    return models;
  }

  /** Leshan's default models (0–7, 21 …) followed by the keyprov models. */
  public static List<ObjectModel> loadWithDefaults() {
    List<ObjectModel> models = new ArrayList<>(ObjectLoader.loadDefault());
    models.addAll(load());
    return models;
  }

  /** The names of the DDF files in the model folder, sorted. */
  static List<String> ddfFileNames() {
    URL folder = KeyprovModels.class.getClassLoader().getResource(FOLDER);
    if (folder == null) {
      throw new IllegalStateException("model folder " + FOLDER + " is missing from the classpath");
    }
    List<String> names = new ArrayList<>();
    try {
      if ("jar".equals(folder.getProtocol())) {
        JarURLConnection connection = (JarURLConnection) folder.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          for (JarEntry entry : Collections.list(jar.entries())) {
            String name = entry.getName();
            if (name.startsWith(FOLDER)
                && name.endsWith(".xml")
                && name.indexOf('/', FOLDER.length()) < 0) {
              names.add(name.substring(FOLDER.length()));
            }
          }
        }
      } else {
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".xml"))
              .forEach(names::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot list " + folder, e);
    }
    Collections.sort(names);
    return names;
  }
}
