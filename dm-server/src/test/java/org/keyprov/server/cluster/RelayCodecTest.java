package org.keyprov.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.DeleteResponse;
import org.eclipse.leshan.core.response.DiscoverResponse;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;
import org.junit.jupiter.api.Test;
import org.keyprov.models.KeyprovModels;

/** A request and its answer cross from one node to another as the device would see them. */
class RelayCodecTest {
  private static final LwM2mModel MODEL = new StaticModel(KeyprovModels.loadWithDefaults());
  private final RelayCodec codec = new RelayCodec();

  private RelayCodec.Ask roundTrip(org.eclipse.leshan.core.request.DownlinkRequest<?> request) {
    byte[] bytes = codec.ask(new RelayCodec.Ask(42L, "ep1", "reg-1", request), MODEL);
    RelayCodec.Ask ask =
        codec.ask(
            bytes,
            registrationId -> {
              assertThat(registrationId).isEqualTo("reg-1");
              return MODEL;
            });
    assertThat(ask.deadlineMillis()).isEqualTo(42L);
    assertThat(ask.endpoint()).isEqualTo("ep1");
    assertThat(ask.registrationId()).isEqualTo("reg-1");
    return ask;
  }

  @Test
  void read_discover_write_execute_and_delete_arrive_as_they_were_asked() {
    assertThat(roundTrip(new ReadRequest(ContentFormat.TLV, 3, 0)).request())
        .isEqualTo(new ReadRequest(ContentFormat.TLV, 3, 0));
    assertThat(roundTrip(new ReadRequest(33001, 0, 3)).request())
        .isEqualTo(new ReadRequest(33001, 0, 3));
    assertThat(roundTrip(new DiscoverRequest(33001)).request())
        .isEqualTo(new DiscoverRequest(33001));
    assertThat(roundTrip(new DeleteRequest(33001, 2)).request())
        .isEqualTo(new DeleteRequest(33001, 2));
    assertThat(roundTrip(new ExecuteRequest("/33001/0/12", "0='now'")).request())
        .isEqualTo(new ExecuteRequest("/33001/0/12", "0='now'"));
    assertThat(roundTrip(new ExecuteRequest(3, 0, 4)).request())
        .isEqualTo(new ExecuteRequest(3, 0, 4));

    // a key and a multi-instance resource, in the format the device is to get them in
    WriteRequest write =
        new WriteRequest(
            WriteRequest.Mode.UPDATE,
            ContentFormat.SENML_JSON,
            "/33001/0",
            new LwM2mObjectInstance(
                0,
                LwM2mSingleResource.newBinaryResource(4, new byte[] {1, 2, 3, 4}),
                org.eclipse.leshan.core.node.LwM2mMultipleResource.newStringResource(
                    6, Map.of(0, "coaps://a.example", 1, "https://b.example"))));
    WriteRequest arrived = (WriteRequest) roundTrip(write).request();
    assertThat(arrived).isEqualTo(write);
    assertThat(arrived.isPartialUpdateRequest()).isTrue();
    assertThat(arrived.getContentFormat()).isEqualTo(ContentFormat.SENML_JSON);
    WriteRequest single = new WriteRequest(3, 0, 14, "+02:00");
    assertThat(roundTrip(single).request()).isEqualTo(single);
  }

  @Test
  void the_devices_answers_come_back_with_their_code_content_links_and_error_message() {
    ReadRequest read = new ReadRequest(3, 0);
    ReadResponse content =
        ReadResponse.success(
            new LwM2mObjectInstance(
                0,
                LwM2mSingleResource.newStringResource(0, "keyprov"),
                LwM2mSingleResource.newIntegerResource(9, 87)));
    ReadResponse back =
        (ReadResponse) codec.response(read, codec.response(read, content, MODEL), MODEL);
    assertThat(back.getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(back.getContent()).isEqualTo(content.getContent());

    ReadRequest key = new ReadRequest(33001, 0, 4);
    ReadResponse refused =
        (ReadResponse)
            codec.response(key, codec.response(key, ReadResponse.methodNotAllowed(), MODEL), MODEL);
    assertThat(refused.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
    assertThat(refused.getContent()).isNull();

    DiscoverRequest discover = new DiscoverRequest(33001);
    LwM2mLink[] links = {
      new LwM2mLink(null, new LwM2mPath(33001)), new LwM2mLink(null, new LwM2mPath(33001, 0))
    };
    DiscoverResponse found =
        (DiscoverResponse)
            codec.response(
                discover, codec.response(discover, DiscoverResponse.success(links), MODEL), MODEL);
    assertThat(Arrays.stream(found.getObjectLinks()).map(l -> l.getPath().toString()))
        .containsExactly("/33001", "/33001/0");

    ExecuteRequest reboot = new ExecuteRequest(3, 0, 4);
    ExecuteResponse failed =
        (ExecuteResponse)
            codec.response(
                reboot,
                codec.response(
                    reboot, ExecuteResponse.internalServerError("not implemented"), MODEL),
                MODEL);
    assertThat(failed.getCode()).isEqualTo(ResponseCode.INTERNAL_SERVER_ERROR);
    assertThat(failed.getErrorMessage()).isEqualTo("not implemented");

    WriteRequest write = new WriteRequest(3, 0, 14, "+02:00");
    assertThat(codec.response(write, codec.response(write, WriteResponse.success(), MODEL), MODEL))
        .isInstanceOf(WriteResponse.class)
        .matches(r -> r.isSuccess());
    DeleteRequest delete = new DeleteRequest(33001, 0);
    assertThat(
            codec
                .response(delete, codec.response(delete, DeleteResponse.notFound(), MODEL), MODEL)
                .getCode())
        .isEqualTo(ResponseCode.NOT_FOUND);
  }

  @Test
  void what_the_serving_node_could_not_do_comes_back_as_its_words() {
    ReadRequest read = new ReadRequest(3, 0);
    byte[] failure = codec.failure("device ep1 did not answer through node-a: TimeoutException");
    assertThatThrownBy(() -> codec.response(read, failure, MODEL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("device ep1 did not answer through node-a: TimeoutException");
  }

  @Test
  void observe_and_others_are_refused_naming_what_can_go_through_another_node() {
    assertThatThrownBy(() -> RelayCodec.checkRelayable(new ObserveRequest(3, 0)))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("ObserveRequest")
        .hasMessageContaining("Read, Discover, Write, Execute and Delete");
  }

  @Test
  void bytes_that_are_not_a_relayed_message_are_refused_with_why() {
    byte[] good = codec.ask(new RelayCodec.Ask(1, "ep1", "reg-1", new ReadRequest(3)), MODEL);
    byte[] cut = Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> codec.ask(cut, id -> MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not parse");
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> codec.ask(longer, id -> MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 bytes after");
    byte[] newer = good.clone();
    newer[0] = 2;
    assertThatThrownBy(() -> codec.ask(newer, id -> MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same keyprov version");
  }
}
