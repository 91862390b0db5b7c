package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/** The browser tests' pictures of pages, in {@code target/screenshots/}, to look at. */
final class Screenshots {
  private Screenshots() {}

  /** Saves the page at a laptop's 1440×900 and a phone's 390×844, then restores the size. */
  static void save(WebDriver browser, String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Dimension before = browser.manage().window().getSize();
    try {
      for (Dimension size : new Dimension[] {new Dimension(1440, 900), new Dimension(390, 844)}) {
        browser.manage().window().setSize(size);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(name + "-" + size.getWidth() + ".png"), png);
      }
    } finally {
      browser.manage().window().setSize(before);
    }
  }
}
