package org.keyprov.server.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.link.DefaultLinkSerializer;
import org.eclipse.leshan.core.link.LinkParseException;
import org.eclipse.leshan.core.link.lwm2m.DefaultLwM2mLinkParser;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.codec.CodecException;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mDecoder;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mEncoder;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.SimpleDownlinkRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.exception.InvalidRequestException;
import org.eclipse.leshan.core.response.DeleteResponse;
import org.eclipse.leshan.core.response.DiscoverResponse;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * A request to a device and its answer as bytes between two DM server nodes: Read, Discover, Write,
 * Execute and Delete, the requests an operator makes of one device. LwM2M nodes travel in SenML
 * CBOR under the device's model (both nodes decode them as Leshan would), links in CoRE Link
 * Format. What crosses Redis is sealed by {@link RequestRelay}; this class only lays it out.
 */
final class RelayCodec {
  private static final int VERSION = 1;
  private static final ContentFormat NODES = ContentFormat.SENML_CBOR;
  private static final int NO_FORMAT = -1;

  private enum Kind {
    READ,
    DISCOVER,
    WRITE,
    EXECUTE,
    DELETE
  }

  /** A request as the serving node gets it, with who it is for and until when it is worth it. */
  record Ask(
      long deadlineMillis, String endpoint, String registrationId, DownlinkRequest<?> request) {}

  private final DefaultLwM2mEncoder encoder = new DefaultLwM2mEncoder();
  private final DefaultLwM2mDecoder decoder = new DefaultLwM2mDecoder();

  /**
   * Whether {@code request} can be sent through another node.
   *
   * @throws UnsupportedOperationException naming what can, if it cannot
   */
  static void checkRelayable(DownlinkRequest<?> request) {
    kind(request);
  }

  private static Kind kind(DownlinkRequest<?> request) {
    if (request instanceof ReadRequest) {
      return Kind.READ;
    } else if (request instanceof DiscoverRequest) {
      return Kind.DISCOVER;
    } else if (request instanceof WriteRequest) {
      return Kind.WRITE;
    } else if (request instanceof ExecuteRequest) {
      return Kind.EXECUTE;
    } else if (request instanceof DeleteRequest) {
      return Kind.DELETE;
    }
    throw new UnsupportedOperationException(
        "a "
            + request.getClass().getSimpleName()
            + " is sent by the node that holds the device's DTLS session only; through another"
            + " node go Read, Discover, Write, Execute and Delete");
  }

  byte[] ask(Ask ask, LwM2mModel model) {
    Kind kind = kind(ask.request());
    return write(
        out -> {
          out.writeByte(VERSION);
          out.writeLong(ask.deadlineMillis());
          out.writeUTF(ask.endpoint());
          out.writeUTF(ask.registrationId());
          out.writeByte(kind.ordinal());
          out.writeUTF(path(ask.request()).toString());
          switch (kind) {
            case READ -> format(out, ((ReadRequest) ask.request()).getContentFormat());
            case WRITE -> {
              WriteRequest w = (WriteRequest) ask.request();
              out.writeBoolean(w.isReplaceRequest());
              format(out, w.getContentFormat());
              bytes(out, encoder.encode(w.getNode(), NODES, w.getPath(), model));
            }
            case EXECUTE -> {
              ExecuteRequest e = (ExecuteRequest) ask.request();
              String arguments = e.getArguments() == null ? null : e.getArguments().serialize();
              out.writeUTF(arguments == null ? "" : arguments);
            }
            case DISCOVER, DELETE -> {}
          }
        });
  }

  /**
   * @throws IllegalArgumentException if {@code bytes} is not an ask this version lays out
   */
  Ask ask(byte[] bytes, java.util.function.Function<String, LwM2mModel> modelOfRegistration) {
    return read(
        bytes,
        in -> {
          long deadline = in.readLong();
          String endpoint = in.readUTF();
          String registrationId = in.readUTF();
          Kind kind = Kind.values()[in.readUnsignedByte()];
          LwM2mPath path = new LwM2mPath(in.readUTF());
          DownlinkRequest<?> request =
              switch (kind) {
                case READ -> new ReadRequest(format(in), path, null);
                case DISCOVER -> new DiscoverRequest(path.toString());
                case WRITE -> {
                  WriteRequest.Mode mode =
                      in.readBoolean() ? WriteRequest.Mode.REPLACE : WriteRequest.Mode.UPDATE;
                  ContentFormat format = format(in);
                  LwM2mNode node =
                      decoder.decode(
                          bytes(in), NODES, path, modelOfRegistration.apply(registrationId));
                  yield new WriteRequest(mode, format, path, node, null);
                }
                case EXECUTE -> new ExecuteRequest(path.toString(), emptyToNull(in.readUTF()));
                case DELETE -> new DeleteRequest(path);
              };
          return new Ask(deadline, endpoint, registrationId, request);
        });
  }

  /** A response of the device to {@code request}. */
  byte[] response(DownlinkRequest<?> request, LwM2mResponse response, LwM2mModel model) {
    return write(
        out -> {
          out.writeByte(VERSION);
          out.writeBoolean(true);
          out.writeShort(response.getCode().getCode());
          out.writeUTF(response.getErrorMessage() == null ? "" : response.getErrorMessage());
          byte[] body = new byte[0];
          if (response.isSuccess()
              && response instanceof ReadResponse read
              && read.getContent() != null) {
            body = encoder.encode(read.getContent(), NODES, path(request), model);
          } else if (response.isSuccess() && response instanceof DiscoverResponse discover) {
            body =
                new DefaultLinkSerializer()
                    .serializeCoreLinkFormat(discover.getObjectLinks())
                    .getBytes(StandardCharsets.UTF_8);
          }
          bytes(out, body);
        });
  }

  /** The request could not be sent, or the device did not answer: {@code why}. */
  byte[] failure(String why) {
    return write(
        out -> {
          out.writeByte(VERSION);
          out.writeBoolean(false);
          out.writeUTF(why);
        });
  }

  /**
   * The device's response to {@code request}, as the serving node got it.
   *
   * @throws IllegalStateException with the serving node's words, if it could not get one
   * @throws IllegalArgumentException if {@code bytes} is not an answer this version lays out
   */
  LwM2mResponse response(DownlinkRequest<?> request, byte[] bytes, LwM2mModel model) {
    return read(
        bytes,
        in -> {
          if (!in.readBoolean()) {
            throw new IllegalStateException(in.readUTF());
          }
          ResponseCode code = ResponseCode.fromCode(in.readShort());
          String error = emptyToNull(in.readUTF());
          byte[] body = bytes(in);
          boolean success = code.isSuccess();
          return switch (kind(request)) {
            case READ ->
                new ReadResponse(
                    code,
                    success ? decoder.decode(body, NODES, path(request), model) : null,
                    null,
                    error,
                    null);
            case DISCOVER -> new DiscoverResponse(code, success ? links(body) : null, error, null);
            case WRITE -> new WriteResponse(code, error);
            case EXECUTE -> new ExecuteResponse(code, error);
            case DELETE -> new DeleteResponse(code, error);
          };
        });
  }

  private static LwM2mLink[] links(byte[] body) {
    try {
      return new DefaultLwM2mLinkParser().parseLwM2mLinkFromCoreLinkFormat(body, null);
    } catch (LinkParseException e) {
      throw new IllegalArgumentException("the links of a Discover answer do not parse", e);
    }
  }

  /** Every kind relayed targets one path. */
  private static LwM2mPath path(DownlinkRequest<?> request) {
    return ((SimpleDownlinkRequest<?>) request).getPath();
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static void format(DataOutputStream out, ContentFormat format) throws IOException {
    out.writeInt(format == null ? NO_FORMAT : format.getCode());
  }

  private static ContentFormat format(DataInputStream in) throws IOException {
    int code = in.readInt();
    return code == NO_FORMAT ? null : ContentFormat.fromCode(code);
  }

  private static void bytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] bytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException(
          "a length of " + length + " where " + in.available() + " bytes are left");
    }
    return in.readNBytes(length);
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "a relayed message of version "
                + version
                + ", not "
                + VERSION
                + ": every node must run the same keyprov version");
      }
      T value = reader.read(in);
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " bytes after a relayed message");
      }
      return value;
    } catch (IOException
        | ArrayIndexOutOfBoundsException
        | CodecException
        | InvalidRequestException
        | org.eclipse.leshan.core.node.InvalidLwM2mPathException e) {
      // the decoder's own words may quote what it read: a Write's content can be a key
      throw new IllegalArgumentException(
          "a relayed message does not parse (" + e.getClass().getSimpleName() + ")");
    }
  }
}
