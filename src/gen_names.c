/*
 * Name tables for the synthetic list generator. The surnames and given
 * names are the common ones of any Japanese phone book, each with its
 * usual reading; the places, buildings and organisations are made up.
 * A few entries are there on purpose to exercise normalization: 髙 and
 * 﨑 (CP932 extensions), small kana (キョウコ, シュンスケ, ハットリ), ヅ
 * (ツヅキ, チヅル) and one ヴ.
 */
#include <stddef.h>

#include "gen_names.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct gen_names_name gen_names_surnames[] = {
	{ "佐藤", "サトウ" },		{ "鈴木", "スズキ" },
	{ "高橋", "タカハシ" },		{ "田中", "タナカ" },
	{ "伊藤", "イトウ" },		{ "渡辺", "ワタナベ" },
	{ "山本", "ヤマモト" },		{ "中村", "ナカムラ" },
	{ "小林", "コバヤシ" },		{ "加藤", "カトウ" },
	{ "吉田", "ヨシダ" },		{ "山田", "ヤマダ" },
	{ "佐々木", "ササキ" },		{ "山口", "ヤマグチ" },
	{ "松本", "マツモト" },		{ "井上", "イノウエ" },
	{ "木村", "キムラ" },		{ "林", "ハヤシ" },
	{ "斎藤", "サイトウ" },		{ "清水", "シミズ" },
	{ "山崎", "ヤマザキ" },		{ "森", "モリ" },
	{ "池田", "イケダ" },		{ "橋本", "ハシモト" },
	{ "阿部", "アベ" },		{ "石川", "イシカワ" },
	{ "山下", "ヤマシタ" },		{ "中島", "ナカジマ" },
	{ "石井", "イシイ" },		{ "小川", "オガワ" },
	{ "前田", "マエダ" },		{ "岡田", "オカダ" },
	{ "長谷川", "ハセガワ" },	{ "藤田", "フジタ" },
	{ "後藤", "ゴトウ" },		{ "近藤", "コンドウ" },
	{ "村上", "ムラカミ" },		{ "遠藤", "エンドウ" },
	{ "青木", "アオキ" },		{ "坂本", "サカモト" },
	{ "斉藤", "サイトウ" },		{ "福田", "フクダ" },
	{ "太田", "オオタ" },		{ "西村", "ニシムラ" },
	{ "藤井", "フジイ" },		{ "金子", "カネコ" },
	{ "岡本", "オカモト" },		{ "藤原", "フジワラ" },
	{ "中野", "ナカノ" },		{ "三浦", "ミウラ" },
	{ "原田", "ハラダ" },		{ "中川", "ナカガワ" },
	{ "松田", "マツダ" },		{ "竹内", "タケウチ" },
	{ "小野", "オノ" },		{ "田村", "タムラ" },
	{ "中山", "ナカヤマ" },		{ "和田", "ワダ" },
	{ "石田", "イシダ" },		{ "森田", "モリタ" },
	{ "上田", "ウエダ" },		{ "原", "ハラ" },
	{ "内田", "ウチダ" },		{ "柴田", "シバタ" },
	{ "酒井", "サカイ" },		{ "宮崎", "ミヤザキ" },
	{ "横山", "ヨコヤマ" },		{ "高木", "タカギ" },
	{ "安藤", "アンドウ" },		{ "宮本", "ミヤモト" },
	{ "大野", "オオノ" },		{ "小島", "コジマ" },
	{ "谷口", "タニグチ" },		{ "今井", "イマイ" },
	{ "工藤", "クドウ" },		{ "高田", "タカダ" },
	{ "増田", "マスダ" },		{ "丸山", "マルヤマ" },
	{ "杉山", "スギヤマ" },		{ "村田", "ムラタ" },
	{ "大塚", "オオツカ" },		{ "新井", "アライ" },
	{ "小山", "コヤマ" },		{ "平野", "ヒラノ" },
	{ "藤本", "フジモト" },		{ "河野", "コウノ" },
	{ "上野", "ウエノ" },		{ "野口", "ノグチ" },
	{ "武田", "タケダ" },		{ "松井", "マツイ" },
	{ "千葉", "チバ" },		{ "岩崎", "イワサキ" },
	{ "菅原", "スガワラ" },		{ "木下", "キノシタ" },
	{ "久保", "クボ" },		{ "佐野", "サノ" },
	{ "野村", "ノムラ" },		{ "松尾", "マツオ" },
	{ "菊地", "キクチ" },		{ "杉本", "スギモト" },
	{ "市川", "イチカワ" },		{ "古川", "フルカワ" },
	{ "大西", "オオニシ" },		{ "島田", "シマダ" },
	{ "水野", "ミズノ" },		{ "桜井", "サクライ" },
	{ "高野", "タカノ" },		{ "渡部", "ワタナベ" },
	{ "吉川", "ヨシカワ" },		{ "山内", "ヤマウチ" },
	{ "西田", "ニシダ" },		{ "飯田", "イイダ" },
	{ "五十嵐", "イガラシ" },	{ "服部", "ハットリ" },
	{ "庄司", "ショウジ" },		{ "都築", "ツヅキ" },
	{ "髙橋", "タカハシ" },		{ "山﨑", "ヤマザキ" },
	{ "髙木", "タカギ" },		{ "宮﨑", "ミヤザキ" },
};
const size_t gen_names_nsurnames = NELEM(gen_names_surnames);

const struct gen_names_name gen_names_male[] = {
	{ "翔太", "ショウタ" },		{ "大輔", "ダイスケ" },
	{ "健太", "ケンタ" },		{ "拓也", "タクヤ" },
	{ "直樹", "ナオキ" },		{ "和也", "カズヤ" },
	{ "達也", "タツヤ" },		{ "誠", "マコト" },
	{ "浩", "ヒロシ" },		{ "隆", "タカシ" },
	{ "茂", "シゲル" },		{ "勇", "イサム" },
	{ "清", "キヨシ" },		{ "博", "ヒロシ" },
	{ "実", "ミノル" },		{ "進", "ススム" },
	{ "明", "アキラ" },		{ "学", "マナブ" },
	{ "修", "オサム" },		{ "正", "タダシ" },
	{ "豊", "ユタカ" },		{ "健一", "ケンイチ" },
	{ "誠一", "セイイチ" },		{ "雄一", "ユウイチ" },
	{ "健二", "ケンジ" },		{ "浩二", "コウジ" },
	{ "正男", "マサオ" },		{ "一郎", "イチロウ" },
	{ "次郎", "ジロウ" },		{ "三郎", "サブロウ" },
	{ "俊介", "シュンスケ" },	{ "譲二", "ジョウジ" },
	{ "亮", "リョウ" },		{ "涼太", "リョウタ" },
	{ "翔", "ショウ" },		{ "蓮", "レン" },
	{ "大翔", "ヒロト" },		{ "悠真", "ユウマ" },
	{ "陽翔", "ハルト" },		{ "湊", "ミナト" },
	{ "悠人", "ユウト" },		{ "大樹", "ダイキ" },
	{ "翼", "ツバサ" },		{ "海斗", "カイト" },
	{ "秀樹", "ヒデキ" },		{ "哲也", "テツヤ" },
	{ "聡", "サトシ" },		{ "淳", "ジュン" },
	{ "純一", "ジュンイチ" },	{ "勝", "マサル" },
	{ "武", "タケシ" },		{ "徹", "トオル" },
	{ "孝", "タカシ" },		{ "光男", "ミツオ" },
	{ "拓海", "タクミ" },		{ "雄介", "ユウスケ" },
	{ "修平", "シュウヘイ" },	{ "恭平", "キョウヘイ" },
	{ "龍之介", "リュウノスケ" },	{ "ヴィクトル", "ヴィクトル" },
};
const size_t gen_names_nmale = NELEM(gen_names_male);

const struct gen_names_name gen_names_female[] = {
	{ "陽子", "ヨウコ" },		{ "恵子", "ケイコ" },
	{ "京子", "キョウコ" },		{ "幸子", "サチコ" },
	{ "和子", "カズコ" },		{ "洋子", "ヨウコ" },
	{ "美智子", "ミチコ" },		{ "節子", "セツコ" },
	{ "久美子", "クミコ" },		{ "由美子", "ユミコ" },
	{ "裕子", "ユウコ" },		{ "直美", "ナオミ" },
	{ "真由美", "マユミ" },		{ "智子", "トモコ" },
	{ "明美", "アケミ" },		{ "悦子", "エツコ" },
	{ "順子", "ジュンコ" },		{ "典子", "ノリコ" },
	{ "正子", "マサコ" },		{ "文子", "フミコ" },
	{ "花子", "ハナコ" },		{ "千鶴", "チヅル" },
	{ "美穂", "ミホ" },		{ "愛", "アイ" },
	{ "恵", "メグミ" },		{ "彩", "アヤ" },
	{ "舞", "マイ" },		{ "結衣", "ユイ" },
	{ "陽菜", "ヒナ" },		{ "美咲", "ミサキ" },
	{ "さくら", "サクラ" },		{ "葵", "アオイ" },
	{ "凛", "リン" },		{ "結菜", "ユイナ" },
	{ "彩花", "アヤカ" },		{ "優子", "ユウコ" },
	{ "香織", "カオリ" },		{ "静香", "シズカ" },
	{ "美香", "ミカ" },		{ "由紀", "ユキ" },
	{ "沙織", "サオリ" },		{ "瞳", "ヒトミ" },
	{ "綾乃", "アヤノ" },		{ "千尋", "チヒロ" },
	{ "美紀", "ミキ" },		{ "紀子", "ノリコ" },
	{ "淑子", "ヨシコ" },		{ "喜代子", "キヨコ" },
	{ "君子", "キミコ" },		{ "千代子", "チヨコ" },
	{ "静子", "シズコ" },		{ "光子", "ミツコ" },
	{ "久子", "ヒサコ" },		{ "恭子", "キョウコ" },
	{ "梢", "コズエ" },		{ "小百合", "サユリ" },
	{ "莉子", "リコ" },		{ "翔子", "ショウコ" },
	{ "珠美", "タマミ" },		{ "知恵", "チエ" },
};
const size_t gen_names_nfemale = NELEM(gen_names_female);

const char *const gen_names_prefs[] = {
	"あおば県", "ひばり県", "かえで県", "つばき県", "なのはな県",
	"はるかぜ県", "架空県",
};
const size_t gen_names_nprefs = NELEM(gen_names_prefs);

const char *const gen_names_cities[] = {
	"ひかり市", "こもれび市", "ほしぞら市", "さざなみ市", "わかくさ市",
	"すずらん市", "架空市", "例示市", "ことぶき町", "かざぐるま町",
	"しらさぎ村", "さくら町",
};
const size_t gen_names_ncities = NELEM(gen_names_cities);

const char *const gen_names_towns[] = {
	"中央", "本町", "旭町", "栄町", "緑町", "桜台", "若葉", "青葉台",
	"東町", "西町", "南町", "北町", "新町", "港町", "幸町", "大和町",
	"錦町", "松が丘", "梅ヶ丘", "宮前",
};
const size_t gen_names_ntowns = NELEM(gen_names_towns);

const char *const gen_names_buildings[] = {
	"コーポさくら", "ハイツみどり", "メゾンあおば", "グリーンハイツ",
	"サンライズマンション", "レジデンスひかり", "パークサイド若葉",
	"ヴィラ旭", "シャトー栄", "ロイヤルコート", "カーサ青葉台",
	"エスポワール本町", "アーバンライフ中央", "ファミール緑",
};
const size_t gen_names_nbuildings = NELEM(gen_names_buildings);

const char *const gen_names_odd_buildings[] = {
	"コーポ北町,B棟", "メゾン\"ひかり\"", "ハイツ旭,\"東館\"",
};
const size_t gen_names_nodd_buildings = NELEM(gen_names_odd_buildings);

const struct gen_names_org gen_names_orgs[] = {
	{ "aoba-pref", "あおば県", "municipality",
	    "自動車税コールセンター業務", "2015-06-01", "2019-09-30",
	    "あおば県 総務部 税務課", "0120-000-101", "平日 9時から17時",
	    "第三者への流出は確認されていません。", 160000,
	    "Aoba Prefecture", "the automobile tax call center",
	    "Aoba Prefecture Tax Division", "weekdays 9:00 to 17:00",
	    "No distribution to third parties has been confirmed." },
	{ "hibari-city", "ひばり市", "municipality",
	    "特定健康診査の電話による受診勧奨", "2016-04-01", "2017-03-31",
	    "ひばり市 健康福祉部 保険年金課", "03-0000-1102",
	    "平日 8時30分から17時15分",
	    "現段階で悪用された事例は確認されていません。", 50000,
	    "Hibari City", "phone reminders for specific health check-ups",
	    "Hibari City Insurance and Pension Division", "weekdays 8:30 to 17:15",
	    "No misuse has been confirmed so far." },
	{ "sakura-town", "さくら町", "municipality",
	    "特定健診の受診勧奨", "", "", "さくら町 住民課", "0120-000-103",
	    "平日 9時から17時", "", 4000,
	    "Sakura Town", "health check-up reminders",
	    "Sakura Town Residents Division", "weekdays 9:00 to 17:00",
	    "" },
	{ "kaede-city", "かえで市", "municipality",
	    "国民健康保険 特定健康診査の電話による受診勧奨", "2017-09-29",
	    "2018-03-31", "かえで市 衛生部 データヘルス推進課", "", "",
	    "警察への捜査協力と社内調査の結果、第三者への流出は確認されませんでした。",
	    7000,
	    "Kaede City", "phone reminders for national health insurance check-ups",
	    "Kaede City Data Health Promotion Division", "",
	    "The police investigation and an internal inquiry found no distribution to third parties." },
	{ "tsubaki-village", "つばき村", "municipality",
	    "がん検診の受診勧奨", "2018-04-01", "2019-03-31",
	    "つばき村 保健福祉課", "0120-000-105", "平日 9時から17時", "",
	    1300,
	    "Tsubaki Village", "cancer screening reminders",
	    "Tsubaki Village Health and Welfare Division", "weekdays 9:00 to 17:00",
	    "" },
	{ "nanohana-city", "なのはな市", "municipality",
	    "特定健康診査未受診者への電話による受診勧奨", "2016-06-01",
	    "2016-12-31", "なのはな市 健康増進課", "03-0000-1106",
	    "平日 8時30分から17時15分",
	    "報告時点では第三者への流出は確認されていません。", 30000,
	    "Nanohana City", "phone reminders for people who missed their health check-up",
	    "Nanohana City Health Promotion Division", "weekdays 8:30 to 17:15",
	    "At the time of the report, no distribution to third parties had been confirmed." },
	{ "hoshizora-city", "ほしぞら市", "municipality",
	    "特定健診などの受診勧奨", "2013-04-01", "2019-03-31",
	    "ほしぞら市 国保年金課", "", "", "", 30000,
	    "Hoshizora City", "health check-up reminders",
	    "Hoshizora City National Health Insurance Division", "",
	    "" },
	{ "kaku-tsushin", "架空通信株式会社", "company",
	    "インターネット通信サービス契約者への新サービス案内業務",
	    "2014-04-01", "2022-03-31", "架空通信株式会社 お客様相談室",
	    "0120-000-108", "毎日 9時から20時",
	    "第三者への流出は確認されていません。", 400000,
	    "Kaku Tsushin Co. Ltd.", "calls introducing new services to internet customers",
	    "Kaku Tsushin customer center", "every day 9:00 to 20:00",
	    "No distribution to third parties has been confirmed." },
	{ "kaku-mobile", "架空モバイル株式会社", "company",
	    "乗り換え相談・新サービス紹介業務", "", "",
	    "架空モバイル株式会社 専用窓口", "0120-000-109",
	    "毎日 9時から18時", "", 72000,
	    "Kaku Mobile Co. Ltd.", "calls about switching plans and new services",
	    "Kaku Mobile dedicated desk", "every day 9:00 to 18:00",
	    "" },
	{ "reiji-denryoku", "例示電力株式会社", "company",
	    "電力契約切り替えのご案内業務", "2017-01-01", "2020-12-31",
	    "例示電力株式会社 カスタマーセンター", "0120-000-110",
	    "平日 9時から17時", "調査を継続しています。", 90000,
	    "Reiji Electric Power Co. Ltd.", "calls about switching electricity contracts",
	    "Reiji Electric Power customer center", "weekdays 9:00 to 17:00",
	    "The investigation is continuing." },
	{ "sample-seimei", "サンプル生命保険株式会社", "company",
	    "保険契約内容確認のお電話業務", "2015-10-01", "2018-09-30",
	    "サンプル生命保険株式会社 お客様窓口", "03-0000-1111",
	    "平日 9時から17時", "現時点で二次被害は確認されていません。",
	    40000,
	    "Sample Life Insurance Co. Ltd.", "calls confirming insurance contracts",
	    "Sample Life Insurance customer desk", "weekdays 9:00 to 17:00",
	    "No secondary damage has been confirmed so far." },
	{ "aoba-kokuho", "あおば県国民健康保険団体連合会", "agency",
	    "生活習慣病予防のための健診受診勧奨", "2015-04-01", "2022-03-31",
	    "あおば県国民健康保険団体連合会 保健事業課", "0120-000-112",
	    "平日 8時30分から17時15分",
	    "第三者への流出は確認されていません。", 180000,
	    "Aoba Prefecture Federation of National Health Insurance Associations", "health check reminders for lifestyle disease prevention",
	    "Aoba Federation health programs division", "weekdays 8:30 to 17:15",
	    "No distribution to third parties has been confirmed." },
};
const size_t gen_names_norgs = NELEM(gen_names_orgs);

const char *const gen_names_services[] = {
	"特定健康診査の電話による受診勧奨",
	"自動車税コールセンター業務",
	"特定健診の受診勧奨",
	"がん検診の受診勧奨",
	"国民健康保険料の納付案内業務",
	"生活習慣病予防のための健診受診勧奨",
	"新サービスのご案内業務",
	"契約内容確認のお電話業務",
};
const char *const gen_names_services_en[] = {
	"phone reminders for specific health check-ups",
	"the automobile tax call center",
	"health check-up reminders",
	"cancer screening reminders",
	"calls about national health insurance payments",
	"health check reminders for lifestyle disease prevention",
	"calls introducing new services",
	"calls confirming contracts",
};
const size_t gen_names_nservices = NELEM(gen_names_services);
_Static_assert(NELEM(gen_names_services_en) == NELEM(gen_names_services),
    "one English service per service");

const char *const gen_names_hours[] = {
	"平日 9時から17時", "平日 8時30分から17時15分", "毎日 9時から20時", "",
};
const char *const gen_names_hours_en[] = {
	"weekdays 9:00 to 17:00", "weekdays 8:30 to 17:15",
	"every day 9:00 to 20:00", "",
};
const size_t gen_names_nhours = NELEM(gen_names_hours);
_Static_assert(NELEM(gen_names_hours_en) == NELEM(gen_names_hours),
    "one English text per hours text");

const char *const gen_names_notes[] = {
	"第三者への流出は確認されていません。",
	"現段階で悪用された事例は確認されていません。",
	"報告時点では第三者への流出は確認されていません。",
	"",
};
const char *const gen_names_notes_en[] = {
	"No distribution to third parties has been confirmed.",
	"No misuse has been confirmed so far.",
	("At the time of the report, no distribution to third parties had "
	    "been confirmed."),
	"",
};
const size_t gen_names_nnotes = NELEM(gen_names_notes);
_Static_assert(NELEM(gen_names_notes_en) == NELEM(gen_names_notes),
    "one English note per note");

const char *const gen_names_kanji_digits[] = {
	"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九",
};

const char *const gen_names_halfwidth[] = {
	"ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", "ｶ", "ｶﾞ",
	"ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ", "ｺﾞ", "ｻ", "ｻﾞ", "ｼ",
	"ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ",
	"ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ", "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ",
	"ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ",
	"ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ",
	"ﾕ", "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", NULL, "ﾜ", NULL, NULL,
	"ｦ", "ﾝ", "ｳﾞ", NULL, NULL, "ﾜﾞ", NULL, NULL, "ｦﾞ", "･", "ｰ",
};

_Static_assert(NELEM(gen_names_halfwidth) ==
    GEN_NAMES_HALFWIDTH_LAST - GEN_NAMES_HALFWIDTH_FIRST + 1,
    "one half-width entry per katakana U+30A1..U+30FC");
