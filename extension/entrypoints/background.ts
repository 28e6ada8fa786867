// Background service worker. Placeholder: the challenge watcher arrives with the real extension.
import { defineBackground } from "wxt/utils/define-background";

export default defineBackground(() => {});
